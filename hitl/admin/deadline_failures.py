"""The approvals the deadline sweep failed on (hitl.services.sla): read-only; deleting a record hands its approval
back to the sweep. Platform operators only: the model is in no role's permissions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from hitl.models import DeadlineFailure
from hitl.services.sla import MAX_ATTEMPTS


class LeftOutFilter(admin.SimpleListFilter):
    title = _("sweep")
    parameter_name = "left_out"

    def lookups(self, request, model_admin):
        return [("yes", _("Left out")), ("no", _("Still tried"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attempts__gte=MAX_ATTEMPTS)
        if self.value() == "no":
            return queryset.filter(attempts__lt=MAX_ATTEMPTS)
        return queryset


@admin.register(DeadlineFailure)
class DeadlineFailureAdmin(ModelAdmin):
    list_display = ["approval", "attempts", "left_out", "last_error", "last_failed_at"]
    list_filter = [LeftOutFilter]
    list_select_related = ["approval"]
    readonly_fields = ["approval", "attempts", "last_error", "last_failed_at"]

    @display(description=_("left out"), boolean=True)
    def left_out(self, record):
        return record.attempts >= MAX_ATTEMPTS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
