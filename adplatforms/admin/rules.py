"""The console pages of the performance rules (adplatforms.rules): tenant admins list and edit their rules, and try a
rule on the last N days before saving it ("Dry run": the form is checked and replayed, nothing is saved); the firings
are a read-only record."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from adplatforms.models import PerformanceRule, RuleFiring
from adplatforms.rules import describe, running
from adplatforms.rules.dry_run import LONGEST, DryRun, replay
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantOwnedAdmin

DRY_RUN_BUTTON = "_dry_run"
DRY_RUN_DAYS = "dry_run_days"


class PerformanceRuleForm(forms.ModelForm):
    """The rule's fields, validated for the viewer's tenant; with `dry_run_days`, a valid form is replayed instead
    of saved (`is_valid` answers False, so the admin shows the page again with the result)."""

    tenant = None  # the viewer's tenant; a superuser picks one in the form
    dry_run_days: str | None = None  # as typed, when "Dry run" was pressed
    dry_run: DryRun | None = None

    class Meta:
        model = PerformanceRule
        fields = [
            "tenant", "name", "enabled", "metric", "comparison", "threshold", "currency", "window_days", "min_spend",
            "scope", "campaign", "platform", "action", "action_value", "schedule", "run_at", "cooldown_hours",
            "max_per_run",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tenant is not None and self.instance.tenant_id is None:
            self.instance.tenant = self.tenant

    def is_valid(self):
        valid = super().is_valid()
        if not valid or self.dry_run_days is None:
            return valid
        try:
            days = int(self.dry_run_days)
        except ValueError:
            days = 0
        if not 1 <= days <= LONGEST:
            self.add_error(None, gettext("A dry run looks at 1 to %(days)s days.") % {"days": LONGEST})
            return False
        self.dry_run = replay(self.instance, days)
        return False  # nothing is saved


@admin.register(PerformanceRule)
class PerformanceRuleAdmin(TenantOwnedAdmin):
    form = PerformanceRuleForm
    change_form_after_template = "admin/adplatforms/rule_dry_run.html"
    list_display = ["name", "condition", "scope", "action", "enabled", "next_run_at", "last_run_at"]
    list_filter = ["enabled", "action", "metric"]
    list_select_related = ["tenant"]
    search_fields = ["name"]
    readonly_fields = ["last_run_at", "next_run_at"]
    fieldsets = [
        (None, {"fields": ["name", "enabled"]}),
        (_("What it watches"), {
            "fields": ["metric", "comparison", "threshold", "currency", "window_days", "min_spend"],
            "description": _("Each campaign's own figures over the last whole days, in its own currency; a "
                             "threshold in money is in the currency named here, and only its campaigns are looked "
                             "at."),
        }),
        (_("Which campaigns"), {"fields": ["scope", "campaign", "platform"]}),
        (_("What it does"), {
            "fields": ["action", "action_value"],
            "description": _("A proposal waits for approval like an agent's, within the guardrails; notify only "
                             "tells the account's admins."),
        }),
        (_("When"), {"fields": ["schedule", "run_at", "cooldown_hours", "max_per_run", "next_run_at", "last_run_at"]}),
    ]  # fmt: skip

    @admin.display(description=_("condition"))
    def condition(self, obj):
        return describe.condition(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        pressed = request.method == "POST" and DRY_RUN_BUTTON in request.POST
        return type(
            form.__name__,
            (form,),
            {
                "tenant": None if request.user.is_superuser else request.user.tenant,
                "dry_run_days": request.POST.get(DRY_RUN_DAYS, "") if pressed else None,
            },
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        running.schedule(obj)
        super().save_model(request, obj, form, change)


@admin.register(RuleFiring)
class RuleFiringAdmin(ReadOnlyAdminMixin, TenantOwnedAdmin):
    list_display = ["fired_at", "rule", "campaign", "figures", "outcome", "detail"]
    list_filter = ["outcome"]
    list_select_related = ["rule", "campaign"]
    show_full_result_count = False
