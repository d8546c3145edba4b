"""`/api/v1/ad-connections/`: the tenant's ad platform connections, for its admins. Credentials are write-only:
accepted on create and update, never returned (`credentials_set` names which are stored)."""

from django.db import IntegrityError, models, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from adplatforms import connections, words
from adplatforms.access import may_manage_connections
from adplatforms.models import SECRET_FIELDS, AdConnection
from core.api_fields import StrictCharField
from core.errors import WalkerError
from tenants.identity.signin.step_up import require_for_api
from tenants.identity.token_scopes import TokenScopePermission


class IsTenantAdmin(permissions.BasePermission):
    message = "Only tenant admins manage ad platform connections."

    def has_permission(self, request, view):
        return may_manage_connections(request.user)


class ConnectionSerializer(serializers.ModelSerializer):
    state_words = serializers.SerializerMethodField(help_text="The state in plain words, in the reader's language.")
    credentials_set = serializers.SerializerMethodField(help_text="Which credentials are stored (never their value).")

    # Strings only: DRF's own CharField would turn a JSON 0 into "0", accepting a body the schema calls invalid.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    class Meta:
        model = AdConnection
        fields = [
            "id", "platform", "account_id", "login_customer_id", "app_id", "client_id", *SECRET_FIELDS,
            "credentials_set", "name", "currency", "time_zone", "state", "state_words", "state_detail", "paused_until",
            "sync_every_minutes", "lookback_days", "next_sync_at", "synced_through", "last_synced_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "name", "currency", "time_zone", "state", "state_detail", "paused_until", "next_sync_at",
            "synced_through", "last_synced_at", "created_at",
        ]  # fmt: skip
        extra_kwargs = {
            name: {"write_only": True, "required": False, "allow_blank": True, "style": {"input_type": "password"}}
            for name in SECRET_FIELDS
        }

    def get_state_words(self, connection) -> str:
        return words.state_words(connection)

    def get_credentials_set(self, connection) -> list[str]:
        return [name for name in SECRET_FIELDS if getattr(connection, name)]

    def validate(self, data):
        if self.instance is not None:
            for name in ("platform", "account_id"):
                if name in data and data[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "Fixed once the connection exists: add another one."})
        if self.instance is None:
            try:
                data["account_id"], data["login_customer_id"] = connections.account_ids(
                    data["platform"], data["account_id"], data.get("login_customer_id", "")
                )
            except ValueError as err:
                raise serializers.ValidationError({"account_id": str(err)}) from err
        for name in SECRET_FIELDS:
            if name in data and not data[name]:
                del data[name]  # empty: keep what is stored
        return data


class AdConnectionViewSet(viewsets.ModelViewSet):
    """The tenant's ad platform connections (tenant admins). DELETE disconnects: no syncs and no changes until
    new credentials are saved; the connection and its synced campaigns stay."""

    serializer_class = ConnectionSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, IsTenantAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return AdConnection.objects.for_user(self.request.user).order_by("platform", "account_id", "pk")

    def perform_create(self, serializer):
        if self.request.user.tenant_id is None:
            raise PermissionDenied("Connections belong to a tenant; a platform superuser without one cannot add them.")
        self._save(serializer, created=True, tenant=self.request.user.tenant, created_by=self.request.user)

    def perform_update(self, serializer):
        self._save(serializer, created=False)

    def _save(self, serializer, *, created: bool, **extra):
        secrets_changed = bool(connections.secrets_in(serializer.validated_data))
        if secrets_changed:  # credentials that act as the tenant on its ad account: a fresh second factor first
            require_for_api(self.request, extra.get("tenant") or serializer.instance.tenant)
        try:
            with transaction.atomic():
                connection = serializer.save(**extra)
        except IntegrityError:
            raise WalkerError("invalid", "This tenant already has a connection to that account.") from None
        connections.saved(connection, created=created, secrets_changed=secrets_changed)

    def destroy(self, request, *args, **kwargs):
        connection = self.get_object()
        connections.disconnect(connection)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ConnectionTest", {"connected": serializers.BooleanField(), "detail": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Ask the platform for the account: "Connected: …", or the platform's refusal in plain words."""
        worked, said = connections.test(self.get_object())
        return Response({"connected": worked, "detail": said})

    @extend_schema(request=None, responses={202: inline_serializer("SyncQueued", {"detail": serializers.CharField()})})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Queue a sync now; 409 when the connection may not be synced (disconnected, expired, paused for quota)."""
        connections.sync_now(self.get_object())
        return Response({"detail": "A sync is on its way."}, status=status.HTTP_202_ACCEPTED)
