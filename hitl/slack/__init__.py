"""The Slack app for approvals (docs/slack.md): a tenant's workspace gets each approval once, with Approve, Reject
and Details buttons; a click is verified and acknowledged at once (`views`, `requests`), decided in a worker through
the same verbs as every other door (`deciding`), and the message is updated in place whatever door decides it
(`messages`, hooked in `hitl.history` and `hitl.notifications`)."""
