"""The console's alert rule form: roles, people and channels as checkboxes, people only from the rule's tenant, and
Slack only for a tenant whose Slack workspace is connected."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectMultipleWidget

from alerts.models import AlertRule, NoticeChannel
from alerts.slack_notices import workspace_of
from tenants.admin_scoping import PersonChoiceField, people_of
from tenants.roles import STAFF_ROLES, Role


class AlertRuleForm(forms.ModelForm):
    notify_roles = forms.MultipleChoiceField(
        label=_("Notify roles"),
        choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES],
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget(),
        help_text=_("Everyone of the tenant with these roles."),
    )
    notify_people = PersonChoiceField(
        label=_("Notify people"),
        queryset=people_of(None),
        required=False,
        widget=UnfoldAdminSelectMultipleWidget(),
    )
    notify_channels = forms.MultipleChoiceField(
        label=_("Notify by"),
        choices=NoticeChannel.choices,
        widget=UnfoldAdminCheckboxSelectMultipleWidget(),
        help_text=_("Slack: one post per opening and clearing in the tenant's Slack workspace, not one per person."),
    )

    tenant = None  # the viewer's tenant (None for a superuser, who picks it), set by the admin per request

    class Meta:
        model = AlertRule
        fields = [
            "tenant", "name", "enabled", "kind", "threshold", "clear_after_minutes", "window_minutes", "channel",
            "notify_roles", "notify_people", "notify_channels", "slack_channel",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tenant = self.tenant or (self.instance.tenant if self.instance.tenant_id else None)
        self.fields["notify_people"].queryset = people_of(tenant)
        if self.tenant is not None and not self.instance.tenant_id:
            self.instance.tenant = self.tenant  # the rule's checks (Slack's workspace) read it before the save sets it
        if tenant is not None and workspace_of(tenant.pk) is None:  # offered only with a workspace (AlertRule.clean)
            offered = [choice for choice in NoticeChannel.choices if choice[0] != NoticeChannel.SLACK]
            self.fields["notify_channels"].widget.choices = offered

    def clean(self):
        cleaned = super().clean()
        tenant = self.tenant or cleaned.get("tenant") or (self.instance.tenant if self.instance.tenant_id else None)
        people = cleaned.get("notify_people") or []
        if tenant is not None and any(person.tenant_id != tenant.pk for person in people):
            self.add_error("notify_people", _("Only people of the rule's tenant can be notified."))
        channels = cleaned.get("notify_channels") or []
        personal = set(channels) - {NoticeChannel.SLACK}
        if personal and not cleaned.get("notify_roles") and not people:
            self.add_error("notify_roles", _("Pick the roles or the people to notify."))
        return cleaned
