"""Add to Slack: Walker's own Slack app (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET) installed to a
tenant's workspace by Slack's OAuth v2 flow, the code exchanged with `oauth.v2.access` (the client's id and secret
by HTTP Basic, as Slack asks), then the channels the bot can post to (`conversations.list`) for the admin to pick
the default one. slack_sdk builds the install URL and calls the Web API. Slack documents PKCE for its user-token
flow only, so the state alone binds the answer. The manual form (a workspace's own app) stays."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth import AuthorizeUrlGenerator

from channels_app.slack.client import TIMEOUT_SECONDS
from channels_app.slack.models import SlackWorkspace

SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET")
# Post and update approvals (in public channels without being invited too), write to people, list channels.
BOT_SCOPES = ("chat:write", "chat:write.public", "im:write", "channels:read", "groups:read")
CHANNEL_PAGES = 10  # of 200 channels: a larger workspace types the channel id in the manual form


class InstallFailed(Exception):
    """The install stops here; the message says why in plain words and what to do."""


@dataclass(frozen=True)
class Installed:
    team_id: str
    team_name: str
    bot_token: str
    channels: list[tuple[str, str]]  # (id, name), public and private channels the bot may post to


def missing() -> list[str]:
    return [name for name in SETTINGS if not getattr(settings, name)]


def authorize_url(*, state: str, redirect_uri: str) -> str:
    generator = AuthorizeUrlGenerator(
        client_id=settings.SLACK_CLIENT_ID,
        scopes=list(BOT_SCOPES),
        redirect_uri=redirect_uri,
        authorization_url=settings.SLACK_OAUTH_AUTHORIZE_URL,
    )
    return generator.generate(state)


def exchange(code: str, *, redirect_uri: str) -> Installed:
    """The workspace, its bot token and its channels for `code`; InstallFailed in plain words otherwise."""
    try:
        answer = _web().oauth_v2_access(
            client_id=settings.SLACK_CLIENT_ID,
            client_secret=settings.SLACK_CLIENT_SECRET,
            code=code,
            redirect_uri=redirect_uri,
        )
    except SlackApiError as error:
        raise _refused(error) from None
    except (SlackClientError, OSError):
        raise InstallFailed(_("Slack could not be reached. Try again in a minute.")) from None
    team = answer.get("team") or {}
    if answer.get("token_type") != "bot" or not answer.get("access_token") or not team.get("id"):
        raise InstallFailed(_("Slack's answer held no bot token for a workspace. Press “Add to Slack” again."))
    token = answer["access_token"]
    return Installed(team["id"], team.get("name", ""), token, channels(token))


def channels(bot_token: str) -> list[tuple[str, str]]:
    """The workspace's unarchived channels the bot may post to, by name."""
    found, cursor = [], None
    client = _web(bot_token)
    try:
        for _page in range(CHANNEL_PAGES):
            page = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
            )
            found += [(c["id"], c.get("name", c["id"])) for c in page.get("channels") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as error:
        raise _refused(error) from None
    except (SlackClientError, OSError):
        raise InstallFailed(_("Slack could not be reached. Try again in a minute.")) from None
    return sorted(found, key=lambda channel: channel[1])


def save(user, installed: Installed, default_channel: str) -> SlackWorkspace:
    """The tenant's workspace with the app's bot token and signing secret: new, or the same workspace again (a
    reinstall after Slack refused the token). One workspace is one tenant's, and a tenant has one workspace."""
    with transaction.atomic():
        taken = SlackWorkspace.objects.select_for_update().filter(team_id=installed.team_id).first()
        if taken is not None and taken.tenant_id != user.tenant_id:
            raise InstallFailed(
                _("This Slack workspace is already connected to Walker by another organisation. A workspace can "
                  "belong to one organisation only.")
            )  # fmt: skip
        workspace = SlackWorkspace.objects.select_for_update().filter(tenant_id=user.tenant_id).first()
        if workspace is not None and workspace.team_id != installed.team_id:
            raise InstallFailed(
                _("Your organisation is already connected to the Slack workspace %(name)s. Delete it on its page "
                  "first to connect another.") % {"name": workspace}
            )  # fmt: skip
        workspace = workspace or SlackWorkspace(tenant_id=user.tenant_id, team_id=installed.team_id)
        workspace.team_name = installed.team_name[:200]
        workspace.bot_token = installed.bot_token
        workspace.signing_secret = settings.SLACK_SIGNING_SECRET
        workspace.default_channel = default_channel
        workspace.token_refusal, workspace.token_refused_at = "", None
        workspace.save()
    return workspace


def _web(token: str | None = None) -> WebClient:
    return WebClient(token=token, base_url=settings.SLACK_API_BASE_URL, timeout=TIMEOUT_SECONDS, retry_handlers=[])


def _refused(error: SlackApiError) -> InstallFailed:
    code = error.response.get("error", "") if isinstance(error.response.data, dict) else ""
    return InstallFailed(
        _("Slack refused to finish the install (%(code)s). Nothing was connected; press “Add to Slack” to try "
          "again.") % {"code": code or f"HTTP {error.response.status_code}"}
    )  # fmt: skip
