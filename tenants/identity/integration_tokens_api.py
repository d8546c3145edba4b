"""/api/v1/auth/integration-tokens/: make (the secret is in that one answer), list and revoke integration tokens.
Only the person does this, signed in with their password (a session or an access token), never a token acting
for them: a leaked token cannot make itself a successor."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tenants.identity import integration_tokens
from tenants.identity.token_scopes import by_password
from tenants.models import IntegrationToken


class IntegrationTokenSerializer(serializers.ModelSerializer):
    owner = serializers.UUIDField(source="owner_id", read_only=True)

    class Meta:
        model = IntegrationToken
        fields = ["id", "name", "owner", "scopes", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class NewIntegrationTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What uses it.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=IntegrationToken.Scope.choices),
        min_length=1,
        max_length=len(IntegrationToken.Scope),
    )
    days = serializers.IntegerField(
        min_value=1, max_value=integration_tokens.MAX_DAYS, default=integration_tokens.DEFAULT_DAYS
    )


class CreatedIntegrationTokenSerializer(IntegrationTokenSerializer):
    token = serializers.CharField(help_text="The secret: shown in this answer only. Send as `Token <token>`.")

    class Meta(IntegrationTokenSerializer.Meta):
        fields = [*IntegrationTokenSerializer.Meta.fields, "token"]


class IntegrationTokenViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):  # fmt: skip
    """Your integration tokens (a tenant admin: the tenant's). DELETE revokes one; it stays listed as revoked."""

    serializer_class = IntegrationTokenSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not by_password(request):
            raise PermissionDenied("Manage integration tokens signed in with your password, not with a token.")

    def get_queryset(self):
        return IntegrationToken.objects.for_user(self.request.user).order_by("-created_at", "pk")

    @extend_schema(request=NewIntegrationTokenSerializer, responses={201: CreatedIntegrationTokenSerializer})
    def create(self, request, *args, **kwargs):
        form = NewIntegrationTokenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token, secret = integration_tokens.create_token(request.user, **form.validated_data)
        return Response({**IntegrationTokenSerializer(token).data, "token": secret}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        integration_tokens.revoke_token(instance)
