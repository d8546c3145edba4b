"""Changes made elsewhere (issue 51, point 4): each sync reads the platform's change history, records the changes to a
synced campaign's budget or status that Walker did not make, and tells the approvers of a waiting proposal whose
"before" no longer holds (docs/adplatforms.md, "Changes outside Walker").

- `models`: `OutsideChange`, one row per (connection, the platform's event, campaign); a Meta ad set's change is its
  campaign's, naming the ad set.
- `detection`: reading the history in the sync, telling Walker's own writes apart, storing idempotently.
- `waiting`: the waiting approvals a new outside change makes stale, told through hitl.
"""
