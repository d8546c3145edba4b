"""Alerts in the console: rules edited by the tenant's admins, incidents and their notices read by them."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from alerts.forms import AlertRuleForm
from alerts.models import AlertIncident, AlertNotice, AlertRule
from alerts.notices import shown
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantOwnedAdmin


@admin.register(AlertRule)
class AlertRuleAdmin(TenantOwnedAdmin):
    form = AlertRuleForm
    list_display = [
        "name", "kind", "threshold", "clear_after_minutes", "window_minutes", "enabled", "open_incident", "tenant",
    ]  # fmt: skip
    list_filter = ["enabled", "kind"]
    search_fields = ["name"]
    list_select_related = ["tenant"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "enabled"]}),
        (_("What is watched"), {
            "fields": ["kind", "threshold", "clear_after_minutes", "window_minutes", "channel"],
            "description": _("Evaluated every minute: one notice when the figure goes above the threshold, one "
                             "when it has stayed at or below it for the quiet period (clear after), nothing in "
                             "between. A figure going back above during the quiet period keeps the same incident: "
                             "no new notice, and the quiet period starts over."),
        }),
        (_("Who is told, and how"), {"fields": ["notify_roles", "notify_people", "notify_channels", "slack_channel"]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for this request
        form.tenant = None if request.user.is_superuser else request.user.tenant
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        still_open = AlertIncident.objects.filter(rule=OuterRef("pk"), cleared_at__isnull=True)
        return super().get_queryset(request).annotate(has_open_incident=Exists(still_open))

    @display(description=_("open incident"), boolean=True, ordering="has_open_incident")
    def open_incident(self, rule):
        return rule.has_open_incident


class NoticeInline(ReadOnlyAdminMixin, TabularInline):
    model = AlertNotice
    fields = ["event", "recipient", "channel", "status", "sent_at", "failure_reason"]
    readonly_fields = fields
    extra = 0


class IncidentStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Still open")), ("cleared", _("Cleared"))]

    def queryset(self, request, queryset):
        if self.value() in ("open", "cleared"):
            return queryset.filter(cleared_at__isnull=self.value() == "open")
        return queryset


class RuleFilter(admin.SimpleListFilter):
    """The viewer's tenant's rules only (Django's related filter would list every tenant's)."""

    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(str(rule.pk), rule.name) for rule in AlertRule.objects.for_user(request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(rule_id=self.value()) if self.value() else queryset


@admin.register(AlertIncident)
class AlertIncidentAdmin(ReadOnlyAdminMixin, TenantOwnedAdmin):
    list_display = ["rule", "kind", "opened_at", "opened", "peak", "cleared_at", "cleared", "limit", "tenant"]
    list_filter = [IncidentStateFilter, "rule__kind", RuleFilter, "opened_at"]
    list_select_related = ["rule", "tenant"]
    search_fields = ["rule__name"]
    date_hierarchy = "opened_at"
    fields = ["rule", "kind", "limit", "opened_at", "opened", "peak", "quiet_since", "cleared_at", "cleared"]
    readonly_fields = fields
    inlines = [NoticeInline]

    @display(description=_("figure"), ordering="rule__kind")
    def kind(self, incident):
        return incident.rule.get_kind_display()

    @display(description=_("threshold"))
    def limit(self, incident):
        return shown(incident.threshold, incident.rule.kind)

    @display(description=_("figure at opening"))
    def opened(self, incident):
        return shown(incident.opened_value, incident.rule.kind)

    @display(description=_("highest figure"))
    def peak(self, incident):
        return shown(incident.peak_value, incident.rule.kind)

    @display(description=_("figure at clearing"))
    def cleared(self, incident):
        return "—" if incident.cleared_value is None else shown(incident.cleared_value, incident.rule.kind)
