"""The changes made outside Walker in the console: a read-only list ("Changes outside Walker", filtered by platform,
campaign, kind and date) and a section on each campaign's page. The campaign's admin belongs to agents, below this
app: the section is added to it here, where the model lives, once both are registered."""

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from adplatforms.executor import STATUS_WORDS
from adplatforms.models import OutsideChange
from adplatforms.outside.waiting import change_by
from agents.models import Campaign
from core.money import money_exact
from tenants.admin_scoping import ReadOnlyAdminMixin, TenantScopedAdminMixin

RECENT = 20


def shown(change: OutsideChange, value: str) -> str:
    """An amount in the change's own currency ("¥6,500", "$650.00"), or a status in words."""
    if change.kind == OutsideChange.Kind.DAILY_BUDGET:
        return money_exact(Decimal(value), change.currency) if value else "—"
    return str(STATUS_WORDS.get(value, value))


class ShownChange:
    @display(description=_("before"))
    def before_shown(self, change):
        return shown(change, change.before)

    @display(description=_("after"))
    def after_shown(self, change):
        return shown(change, change.after)

    @display(description=_("by"))
    def made_by(self, change):
        return change_by(change)


@admin.register(OutsideChange)
class OutsideChangeAdmin(ShownChange, ReadOnlyAdminMixin, TenantScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "campaign", "ad_set", "connection", "kind", "before_shown", "after_shown", "made_by"]
    list_filter = ["connection__platform", "kind", "at", ("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["campaign__name", "ad_set", "actor", "tool"]
    date_hierarchy = "at"
    list_select_related = ["campaign", "connection"]
    fields = readonly_fields = [
        "at", "campaign", "ad_set", "connection", "kind", "before_shown", "after_shown", "made_by", "before_units",
        "after_units", "event", "detected_at",
    ]  # fmt: skip


class OutsideChangeInline(ShownChange, TabularInline):
    model = OutsideChange
    fk_name = "campaign"
    extra = max_num = 0
    can_delete = False
    verbose_name_plural = _("changes outside Walker")
    fields = readonly_fields = ["at", "ad_set", "kind", "before_shown", "after_shown", "made_by"]
    ordering = ["-at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


campaigns = admin.site.get_model_admin(Campaign)
campaigns.inlines = [*campaigns.inlines, OutsideChangeInline]
