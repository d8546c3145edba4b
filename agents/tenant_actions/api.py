"""`/api/v1/action-types/`: the action types a tenant registers for its own agents, for its admins.

The serializer asks the model's own `full_clean()` (agents.tenant_actions.rules), so the API refuses exactly
what the console refuses, with the same reasons per field. Another tenant's type answers 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from rest_framework import permissions, serializers, viewsets

from agents.tenant_actions import RunBy
from agents.tenant_actions.access import action_types_for, may_manage_action_types
from agents.tenant_actions.models import TenantActionType
from agents.tenant_actions.rules import KEY_TAKEN
from core.api_fields import StrictBooleanFilter
from core.tenant_viewsets import TenantOwnedWrites
from tenants.identity.token_scopes import TokenScopePermission


class IsTenantAdmin(permissions.BasePermission):
    message = "Only tenant admins manage action types."

    def has_permission(self, request, view):
        return may_manage_action_types(request.user)


class ActionTypeFilter(filters.FilterSet):
    runs_by = filters.ChoiceFilter(choices=RunBy.choices)
    reversible = StrictBooleanFilter()

    class Meta:
        model = TenantActionType
        fields = ["runs_by", "reversible"]


class ActionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantActionType
        fields = [
            "id", "key", "names", "args_schema", "editable_fields", "money_field", "currency", "currency_field",
            "reach_field", "reversible", "base_risk", "default_expiry", "runs_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        candidate = self.instance or TenantActionType(tenant=self.context["request"].user.tenant)
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:  # the tenant's unique key is one of clean()'s rules: the constraints are not asked again
            candidate.full_clean(exclude=["tenant", "created_by"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        return attrs


class ActionTypeViewSet(TenantOwnedWrites, viewsets.ModelViewSet):
    """The tenant's action types (tenant admins): what agents outside Walker may ask approval for."""

    serializer_class = ActionTypeSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, IsTenantAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = ActionTypeFilter
    owned_rows = "Action types"

    def get_queryset(self):
        return action_types_for(self.request.user).order_by("key", "pk")

    def lost_race(self):  # a concurrent request registered the same key first: the answer of a key already taken
        return serializers.ValidationError({"key": [str(KEY_TAKEN)]})
