"""Who a Slack user is in Walker: a link the Slack user is sent privately, signed and expiring after
`SLACK_LINK_MINUTES`, that ties them to whoever opens it signed in to Walker (the tenant's MFA policy applies to that
sign-in as to every page). It names the workspace and the Slack user; the Walker person is the one signed in."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from channels_app.slack.models import SlackUserLink, SlackWorkspace
from hitl.links import ExpiredLink, ForgedLink

SALT = "channels_app.slack.link"


def make_link(workspace: SlackWorkspace, slack_user_id: str) -> str:
    token = signing.dumps([workspace.team_id, slack_user_id], salt=SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("slack-link", kwargs={"token": token})


def read(token: str) -> tuple[SlackWorkspace, str]:
    """The workspace and Slack user the link names; ExpiredLink or ForgedLink otherwise."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=timedelta(minutes=settings.SLACK_LINK_MINUTES))
    except signing.SignatureExpired as exc:  # a subclass of BadSignature: caught first
        raise ExpiredLink("This link has expired.") from exc
    except signing.BadSignature as exc:
        raise ForgedLink("This link is not valid.") from exc
    if not (isinstance(claim, list) and len(claim) == 2 and all(isinstance(part, str) for part in claim)):
        raise ForgedLink("This link is not valid.")
    workspace = SlackWorkspace.objects.select_related("tenant").filter(team_id=claim[0]).first()
    if workspace is None:
        raise ForgedLink("This link is not valid.")
    return workspace, claim[1]


def person_of(workspace: SlackWorkspace, slack_user_id: str):
    """The active Walker person of the workspace's tenant this Slack user is linked to, or None."""
    link = (
        SlackUserLink.objects.select_related("user")
        .filter(workspace=workspace, slack_user_id=slack_user_id, user__is_active=True, user__tenant=workspace.tenant)
        .first()
    )
    return link.user if link else None


def link(workspace: SlackWorkspace, slack_user_id: str, user) -> SlackUserLink:
    """Tie them, replacing whatever either was tied to in this workspace."""
    with transaction.atomic():
        SlackUserLink.objects.filter(workspace=workspace, slack_user_id=slack_user_id).delete()
        SlackUserLink.objects.filter(workspace=workspace, user=user).delete()
        return SlackUserLink.objects.create(workspace=workspace, slack_user_id=slack_user_id, user=user)
