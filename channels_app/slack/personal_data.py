"""A person's Slack links in their data export, and removed when they are erased (their Slack user id ties them to
a Slack account; erased, a click from it is told to link again)."""

from channels_app.slack.models import SlackUserLink


def export_links(person) -> list[dict]:
    links = SlackUserLink.objects.filter(user=person).select_related("workspace").order_by("linked_at")
    return [
        {
            "team_id": link.workspace.team_id,
            "slack_user_id": link.slack_user_id,
            "linked_at": link.linked_at.isoformat(),
        }
        for link in links
    ]


def erase_links(person, now) -> int:
    deleted, _ = SlackUserLink.objects.filter(user=person).delete()
    return deleted
