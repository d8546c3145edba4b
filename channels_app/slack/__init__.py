"""Slack as a channel for approvals (docs/slack.md): a tenant's workspace gets each approval once, with Approve,
Reject and Details buttons; a click is verified and acknowledged at once (`verify`, `views`), decided in a worker
through the same verbs as every other door (`deciding`: `hitl.services.verbs.act`), and the message is updated in
place whatever door decides it (`messages`, hooked into hitl's notifications and history by `notifier`, which
registers hitl's "slack" sender: the app, else the tenant's incoming webhook, `webhook`)."""
