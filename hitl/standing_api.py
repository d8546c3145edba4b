"""Standing approvals through the API: given with an approval (`standing` in the approve endpoint's body), listed,
and revoked here (hitl.services.standing)."""

from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.errors import http_status
from hitl.access import may_decide, may_manage
from hitl.errors import DecisionError
from hitl.models import StandingApproval
from hitl.services import standing
from tenants.identity.token_scopes import Scope


class StandingBoundsSerializer(serializers.Serializer):
    """What an approver allows again when approving: for how long, how many times, and for a budget how far."""

    hours = serializers.IntegerField(min_value=1, max_value=standing.MAX_HOURS)
    max_uses = serializers.IntegerField(min_value=1, max_value=standing.MAX_USES)
    max_change_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=1, max_value=100, required=False, allow_null=True,
        help_text="A budget change only: how far a later budget may be from the one before this change, in %.",
    )  # fmt: skip


def bounds_of(data: dict) -> standing.Bounds:
    """The bounds a StandingBoundsSerializer validated."""
    return standing.Bounds(data["hours"], data["max_uses"], data.get("max_change_percent"))


class StandingApprovalSerializer(serializers.ModelSerializer):
    given_on = serializers.CharField(source="given_on.reference", read_only=True)
    granted_by = serializers.CharField(source="granted_by.get_full_name", read_only=True)
    bounds = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = StandingApproval
        fields = [
            "id", "given_on", "granted_by", "granted_at", "action_type", "target_key", "max_change_percent",
            "expires_at", "max_uses", "uses", "revoked_at", "bounds", "active",
        ]  # fmt: skip

    def get_bounds(self, grant) -> str:
        return standing.describe(grant)

    def get_active(self, grant) -> bool:
        return grant.revoked_at is None and grant.expires_at > timezone.now() and grant.uses < grant.max_uses


class StandingApprovalViewSet(viewsets.ReadOnlyModelViewSet):
    """The tenant's standing approvals, newest first, for those who decide approvals; `?active=1` for those that
    still approve. Revoking is for their giver and the tenant's admins."""

    serializer_class = StandingApprovalSerializer
    token_scope = None  # set by the revoke action: what an integration token needs (tenants.identity.token_scopes)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return StandingApproval.objects.none()
        user = self.request.user
        if user.tenant_id is None or not may_decide(user):
            raise PermissionDenied("Only people who decide approvals see standing approvals.")
        grants = StandingApproval.objects.filter(tenant_id=user.tenant_id).select_related("granted_by", "given_on")
        if self.request.query_params.get("active") in {"1", "true"}:
            grants = standing.active(grants)
        return grants.order_by("-granted_at", "pk")

    @action(detail=True, methods=["post"], token_scope=Scope.DECIDE)
    def revoke(self, request, pk=None):
        """End a standing approval now; what it approved stays approved."""
        grant = self.get_object()
        if grant.granted_by_id != request.user.pk and not may_manage(request.user):
            raise PermissionDenied("Only its giver or an admin of the tenant revokes a standing approval.")
        try:
            grant = standing.revoke(grant.pk, actor=request.user)
        except DecisionError as err:
            return Response({"code": err.code, "detail": err.detail}, status=http_status(err.code))
        return Response(self.get_serializer(grant).data, status=status.HTTP_200_OK)
