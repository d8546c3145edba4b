"""The tenant's standing approvals (hitl.services.standing): read-only, filtered by whether they still approve,
revoked by their giver or a tenant admin (a bulk action)."""

from django.contrib import admin, messages
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from hitl.access import may_manage
from hitl.errors import DecisionError
from hitl.models import StandingApproval
from hitl.services import standing
from tenants.admin_scoping import TenantOwnedAdmin


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Still approves")), ("revoked", _("Revoked")), ("ended", _("Ended or used up"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return standing.active(queryset)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "ended":
            return queryset.filter(revoked_at__isnull=True).filter(
                Q(expires_at__lte=timezone.now()) | Q(uses__gte=F("max_uses"))
            )
        return queryset


@admin.register(StandingApproval)
class StandingApprovalAdmin(TenantOwnedAdmin):
    list_display = ["granted_by", "given_on_link", "action_type", "bounds", "used", "state", "granted_at"]
    list_filter = [StateFilter, "action_type"]
    search_fields = ["given_on__reference", "granted_by__email", "granted_by__first_name", "granted_by__last_name"]
    list_select_related = ["granted_by", "given_on", "revoked_by"]
    readonly_fields = [
        "granted_by", "granted_at", "given_on", "action_type", "target_key", "max_change_percent", "expires_at",
        "max_uses", "uses", "revoked_at", "revoked_by",
    ]  # fmt: skip
    actions = ["revoke_selected"]

    @display(description=_("given on"))
    def given_on_link(self, grant):
        url = reverse("admin:hitl_hitlapproval_change", args=[grant.given_on_id])
        return format_html('<a href="{}">{}</a>', url, grant.given_on.reference)

    @display(description=_("bounds"))
    def bounds(self, grant):
        return standing.describe(grant)

    @display(description=_("used"))
    def used(self, grant):
        return gettext("%(uses)s of %(max)s") % {"uses": grant.uses, "max": grant.max_uses}

    @display(description=_("state"))
    def state(self, grant):
        if grant.revoked_at is not None:
            return gettext("Revoked")
        if grant.expires_at <= timezone.now() or grant.uses >= grant.max_uses:
            return gettext("Ended or used up")
        return gettext("Still approves")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @action(description=_("Revoke the selected standing approvals"))
    def revoke_selected(self, request, queryset):
        mine = queryset if may_manage(request.user) else queryset.filter(granted_by=request.user)
        revoked = 0
        for grant in mine.filter(revoked_at__isnull=True):
            try:
                standing.revoke(grant.pk, actor=request.user)
            except DecisionError as err:  # another tenant's, for a superuser who sees them all
                messages.warning(request, err.detail)
                continue
            revoked += 1
        skipped = queryset.count() - mine.count()
        messages.success(request, ngettext("%(count)s revoked.", "%(count)s revoked.", revoked) % {"count": revoked})
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)s left: only its giver or an admin revokes it.",
                    "%(count)s left: only their giver or an admin revokes them.",
                    skipped,
                )
                % {"count": skipped},
            )
