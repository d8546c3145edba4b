"""Invitations over the API, for tenant admins (and platform superusers): invite by email with a role, list, resend,
revoke. The rules are tenants.identity.invitations', the console's too."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants.identity import invitations
from tenants.models import Invitation, Tenant
from tenants.roles import Role


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id", "email", "role", "language", "tenant", "status", "invited_by", "created_at", "sent_at", "sends",
            "expires_at", "accepted_at", "accepted_by", "revoked_at",
        ]  # fmt: skip

    def get_status(self, invitation) -> str:
        return invitation.status


class NewInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    language = serializers.ChoiceField(choices=Invitation._meta.get_field("language").choices, required=False)
    tenant = serializers.UUIDField(required=False, help_text="Platform superusers only: the tenant to invite into.")


class InvitationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's tenant's invitations. POST emails a new one (201); `resend` emails it again with a new link;
    `revoke` stops its link. Refusals: 403 `forbidden` (not an admin, or a role they may not give), 403
    `wrong_tenant`, 409 `already_member` / `already_invited` / `closed`, 429 `throttled` / `too_soon`."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return invitations.invitations_for(self.request.user).order_by("-created_at", "pk")

    @extend_schema(request=NewInvitationSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        form = NewInvitationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        tenant = request.user.tenant
        if "tenant" in data and data["tenant"] != request.user.tenant_id:
            tenant = Tenant.objects.filter(pk=data["tenant"]).first()
            if tenant is None:
                raise invitations.InvitationError("not_found", gettext("No such tenant."))
        if tenant is None:
            raise invitations.InvitationError("forbidden", gettext("Name the tenant to invite into."))
        made = invitations.invite(request.user, tenant, data["email"], data["role"], data.get("language", ""))
        return Response(InvitationSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        return Response(InvitationSerializer(invitations.resend(request.user, pk)).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return Response(InvitationSerializer(invitations.revoke(request.user, pk)).data)
