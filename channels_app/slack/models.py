"""The Slack app for approvals (channels_app.slack, docs/slack.md): a tenant's workspace, who is who there, and the
message each approval was posted as, so it is updated in place whatever door decides it.

They were hitl's models: their tables keep hitl's names (`db_table`), and the migrations that moved them
(hitl 0006, channels_app 0002) changed Django's state and the content types only, never a row."""

import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField
from tenants.scoping import TenantScopedQuerySet

# A workspace's id in Slack (T…; an Enterprise Grid organisation's, E…), as the console stores it: upper case ASCII.
TEAM_ID = re.compile(r"[TE][0-9A-Z]{1,31}")


class SlackWorkspace(models.Model):
    """A tenant's Slack workspace: its team id finds the tenant of every click; the bot token posts and updates,
    the signing secret proves a request came from Slack. Both secrets are encrypted at rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="slack_workspace", verbose_name=_("tenant")
    )
    team_id = models.CharField(
        max_length=32,
        unique=True,
        help_text=_("The workspace's id in Slack, e.g. T0123ABCD (Slack: About this workspace)."),
        verbose_name=_("team ID"),
    )
    team_name = models.CharField(max_length=200, blank=True, verbose_name=_("team name"))
    bot_token = EncryptedTextField(help_text=_("The app's bot token, xoxb-…"), verbose_name=_("bot token"))
    signing_secret = EncryptedTextField(
        help_text=_("The app's signing secret (Slack: Basic Information)."), verbose_name=_("signing secret")
    )
    default_channel = models.CharField(
        max_length=32,
        blank=True,
        help_text=_("Channel id approvals go to when their workflow names none, e.g. C0123ABCD."),
        verbose_name=_("default channel"),
    )
    token_refusal = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Slack's code when it last refused the bot token (e.g. invalid_auth); empty: not refused."),
        verbose_name=_("token refusal"),
    )
    token_refused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("token refused at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        db_table = "hitl_slackworkspace"
        verbose_name = _("Slack workspace")
        verbose_name_plural = _("Slack workspaces")

    def __str__(self):
        return self.team_name or self.team_id


class SlackUserLink(models.Model):
    """A Slack user of a workspace is this Walker person: made by the person, signed in, through a signed link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    workspace = models.ForeignKey(
        SlackWorkspace, on_delete=models.CASCADE, related_name="links", verbose_name=_("workspace")
    )
    slack_user_id = models.CharField(max_length=32, verbose_name=_("Slack user ID"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_links", verbose_name=_("user")
    )
    linked_at = models.DateTimeField(auto_now_add=True, verbose_name=_("linked at"))

    class Meta:
        db_table = "hitl_slackuserlink"
        verbose_name = _("Slack user link")
        verbose_name_plural = _("Slack user links")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slack_user_id"], name="one_link_per_slack_user"),
            models.UniqueConstraint(fields=["workspace", "user"], name="one_slack_user_per_person"),
        ]

    def __str__(self):
        return f"{self.slack_user_id} → {self.user}"


class SlackApprovalMessage(models.Model):
    """The one message an approval was posted as: `ts` is empty until Slack has taken it. Failed: its post (no `ts`)
    or its latest update failed for good (channels_app.slack.outcomes), until a later post or update is taken."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    approval = models.OneToOneField(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="slack_message", verbose_name=_("approval")
    )
    channel = models.CharField(max_length=32, verbose_name=_("channel"))
    ts = models.CharField(max_length=32, blank=True, verbose_name=_("message timestamp"))
    posted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("posted at"))
    updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("updated at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED, verbose_name=_("status"))
    failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("failed at"))
    failure_reason = models.TextField(blank=True, verbose_name=_("failure reason"))

    class Meta:
        db_table = "hitl_slackapprovalmessage"
        verbose_name = _("Slack message")
        verbose_name_plural = _("Slack messages")
        indexes = [models.Index(fields=["status", "-failed_at"])]  # the workspace page's recent failures

    def __str__(self):
        return f"{self.channel}/{self.ts or '…'}"
