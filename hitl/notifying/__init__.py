"""Telling people about approvals, in one package (issue 47, point 4). The package imports nothing: callers import
a name from the module that defines it.

- `approvers`: who is told of an approval (created, reminder, escalated, decided), one `HITLNotification` row per
  person and channel, sent after commit.
- `rows`: what a send and the provider's later word share: queueing rows after commit, each outcome's platform event.
- `senders`: sending one row on its channel (email, in-app, WhatsApp here; a registered channel's sender otherwise).
- `registry`: the senders the channels above hitl register (Slack's, from `channels_app.slack.notifier`).
- `deliveries`: the email provider's later word (delivered, bounced: then the person's other channels).
- `told`: the words the requester and the approver are told of an outcome, and the requester's chip.
- `announce`: those words stored on the requester's conversation (`conversations.delivery`).
"""
