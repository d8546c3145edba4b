"""The tenant's Slack workspace in the console: tenant admins connect it with "Add to Slack" (Walker's own app,
channels_app.slack.install) or with their own app's bot token and signing
secret, which are write-only (typed, stored encrypted, never shown again) and change only after a fresh second
factor, as every secret a tenant holds. Its page says whether Slack refuses the bot token and which approvals'
messages failed (`outcomes`)."""

from functools import partial

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from channels_app.slack import install, install_views
from channels_app.slack.models import TEAM_ID, SlackApprovalMessage, SlackUserLink, SlackWorkspace
from core.widgets import secret_input
from tenants.admin_scoping import TenantOwnedAdmin
from tenants.identity.signin.secrets_step_up import SecretsStepUpAdminMixin, SecretsStepUpForm

SECRETS = ("bot_token", "signing_secret")
RECENT_FAILURES = 20
WRITE_ONLY_HELP = _(
    "Stored encrypted, never shown again: type one to replace the saved one, or leave empty to keep it."
)


class SlackWorkspaceForm(SecretsStepUpForm, forms.ModelForm):
    class Meta:
        model = SlackWorkspace
        fields = ["tenant", "team_id", "team_name", "default_channel", *SECRETS]
        widgets = {name: secret_input() for name in SECRETS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            if name in self.fields:
                self.initial.pop(name, None)
                if self.instance.pk:  # a new workspace needs both; a saved one keeps what is left empty
                    self.fields[name].required = False
                    self.fields[name].help_text = WRITE_ONLY_HELP

    def clean_team_id(self):
        team_id = self.cleaned_data["team_id"].strip().upper()
        if not TEAM_ID.fullmatch(team_id):
            raise forms.ValidationError(_("A Slack team id looks like T0123ABCD."))
        return team_id

    def clean(self):
        cleaned = super().clean()
        changed = any(cleaned.get(name) for name in SECRETS)
        self.refuse_if_stale(changed)
        for name in SECRETS:
            if name in cleaned and not cleaned[name]:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def save(self, commit=True):
        if "bot_token" in self.changed_data:  # a token typed: Slack's refusal of the one before is no longer news
            self.instance.token_refusal, self.instance.token_refused_at = "", None
        return super().save(commit)


class SlackUserLinkInline(TabularInline):
    model = SlackUserLink
    extra = 0
    fields = readonly_fields = ["slack_user_id", "user", "linked_at"]
    verbose_name_plural = _("linked people")

    def has_add_permission(self, request, obj=None):
        return False  # a person links themselves, signed in, from the link Slack sends them


@admin.register(SlackWorkspace)
class SlackWorkspaceAdmin(SecretsStepUpAdminMixin, TenantOwnedAdmin):
    form = SlackWorkspaceForm
    list_display = ["__str__", "team_id", "default_channel", "tenant", "created_at"]
    list_select_related = ["tenant"]
    inlines = [SlackUserLinkInline]
    fieldsets = [
        (None, {
            "fields": ["team_id", "team_name", "default_channel"],
            "description": _("Approvals are posted to a workflow's Slack channel, else to the default channel, with "
                             "Approve, Reject and Details buttons (docs/slack.md)."),
        }),
        (_("The Slack app's secrets"), {"fields": list(SECRETS)}),
    ]  # fmt: skip
    answers = (_("How Slack answers"), {"fields": ["token_state", "failed_messages"]})
    list_before_template = change_form_before_template = "admin/channels_app/slack_add_button.html"

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path("install/", view(install_views.start), name="channels_app_slackworkspace_install"),
            path("install/callback/", view(install_views.callback),
                 name="channels_app_slackworkspace_install_callback"),
            path("install/pick/<str:hold_id>/", view(install_views.pick),
                 name="channels_app_slackworkspace_install_pick"),
            *super().get_urls(),
        ]  # fmt: skip

    def _install_button(self, request, *, reconnect: bool) -> dict:
        """ "Add to Slack" (or Reconnect) for a tenant's admin, with the settings it still needs."""
        if request.user.tenant_id is None or not self.has_change_permission(request):
            return {}
        return {"slack_install": {"missing": install.missing(), "reconnect": reconnect}}

    def changelist_view(self, request, extra_context=None):
        has_one = SlackWorkspace.objects.filter(tenant_id=request.user.tenant_id).exists()
        extra = {} if has_one else self._install_button(request, reconnect=False)
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        workspace = self.get_object(request, object_id)
        refused = workspace is not None and workspace.token_refusal and workspace.tenant_id == request.user.tenant_id
        extra = self._install_button(request, reconnect=True) if refused else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    readonly_fields = answers[1]["fields"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, self.answers] if obj is not None else fieldsets

    @display(description=_("bot token"))
    def token_state(self, obj):
        if not obj.token_refusal:
            return gettext("Slack has not refused it")
        return gettext("Slack refused the bot token (%(code)s) at %(when)s: type a new one above.") % {
            "code": obj.token_refusal,
            "when": date_format(timezone.localtime(obj.token_refused_at), "SHORT_DATETIME_FORMAT"),
        }

    @display(description=_("approvals not shown in Slack"))
    def failed_messages(self, obj):
        """The tenant's latest approval messages that failed (post or update), each a link to its approval."""
        failed = SlackApprovalMessage.objects.filter(
            approval__tenant_id=obj.tenant_id, status=SlackApprovalMessage.Status.FAILED
        )
        latest = failed.select_related("approval").order_by("-failed_at")[:RECENT_FAILURES]
        if not latest:
            return gettext("No message failed.")
        lines = format_html_join(
            mark_safe("<br>"),
            '<a class="text-primary-600" href="{}">{}</a> · {} · {} — {}',
            (
                (
                    reverse("admin:hitl_hitlapproval_change", args=[row.approval_id]),
                    row.approval.reference,
                    row.channel,
                    date_format(timezone.localtime(row.failed_at), "SHORT_DATETIME_FORMAT"),
                    row.failure_reason,
                )
                for row in latest
            ),
        )
        total = failed.count()
        if total <= len(latest):
            return lines
        more = ngettext("%(shown)s of %(total)s failed message", "%(shown)s of %(total)s failed messages", total)
        return format_html("{}<br>{}", lines, more % {"shown": len(latest), "total": total})

    def add_view(self, request, form_url="", extra_context=None):
        """A tenant has one workspace: once it exists, "add" opens it to be changed."""
        if not request.user.is_superuser:
            existing = SlackWorkspace.objects.filter(tenant_id=request.user.tenant_id).values_list("pk", flat=True)
            if existing:
                return redirect(reverse("admin:channels_app_slackworkspace_change", args=[existing[0]]))
        return super().add_view(request, form_url, extra_context)
