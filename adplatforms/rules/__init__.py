"""Performance rules: a tenant's rules over its campaigns' synced daily figures that propose a pause, a resume or a
budget change through `request_approval` (or only notify), run by a beat job (issue 51, point 1).

models (the rule and its firings), evaluation (which campaigns a rule fires for on a day, shared by the real run and
the console's dry run), describe (the figures in the words approvers read), filing (a firing made a proposal),
notices (notify-only), running (due rules claimed and run), dry_run (the last N days replayed)."""
