from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttling import ScopedRateThrottle
from tenants.access import get_person_for_request, may_see_subject_requests, people_for, subject_requests_for
from tenants.identity.auth_api import TokenRequestSerializer
from tenants.identity.signin.api_password import sign_in_by_password
from tenants.models import SubjectRequest, Tenant, User
from tenants.privacy.audit import REASON_MAX, Origin
from tenants.privacy.subject_requests import erase_person, export_person
from tenants.roles import Role


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "name", "slug", "subscription_tier", "timezone"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "is_active"]


class MeSerializer(UserSerializer):
    tenant = TenantSerializer(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "is_superuser", "tenant"]


class MeView(APIView):
    """The caller: who they are, their tenant and their role."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People of the caller's tenant (tenant admins); anyone else sees themselves."""

    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        return people_for(self.request.user).order_by("first_name", "last_name", "pk")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange an email and password for an API token (send it as `Authorization: Token <token>`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    # Kept for the clients that use it; its tokens never expire: new clients sign in at /api/v1/auth/ (docs/api.md).
    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer, deprecated=True)
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = sign_in_by_password(request._request, form.validated_data)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SubjectRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.EmailField(source="requested_by_email", read_only=True)

    class Meta:
        model = SubjectRequest
        fields = [
            "id",
            "kind",
            "subject_ref",
            "requested_by",
            "reason",
            "status",
            "counts",
            "created_at",
            "completed_at",
        ]


class NewSubjectRequestSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text="The person's id (GET /api/users/).")
    kind = serializers.ChoiceField(choices=SubjectRequest.Kind.choices)
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why; kept with the record.")


class SubjectExportSerializer(serializers.Serializer):
    request = SubjectRequestSerializer()
    data = serializers.DictField(help_text="Everything held about the person, values decrypted.")


class SubjectRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A person's data: export it (subject access) or erase it. Tenant admins and compliance; every request is
    recorded with who asked and why, and an export is also a high-sensitivity access record."""

    serializer_class = SubjectRequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SubjectRequest.objects.none()
        return subject_requests_for(self.request.user).order_by("-created_at", "pk")

    def list(self, request, *args, **kwargs):
        if not may_see_subject_requests(request.user):
            raise PermissionDenied("Only tenant admins and compliance see subject requests.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=NewSubjectRequestSerializer,
        responses={200: SubjectExportSerializer, 201: SubjectRequestSerializer},
    )
    def create(self, request, *args, **kwargs):
        """`kind=export` answers 200 with the data; `kind=erasure` erases and answers 201 with the record."""
        form = NewSubjectRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind = form.validated_data["kind"]
        person = get_person_for_request(request.user, form.validated_data["person"], kind)
        reason = form.validated_data["reason"]
        if kind == SubjectRequest.Kind.EXPORT:
            done, data = export_person(request.user, person, reason=reason, origin=Origin.of_request(request))
            return Response({"request": SubjectRequestSerializer(done).data, "data": data})
        erasure = erase_person(request.user, person, reason=reason)
        return Response(SubjectRequestSerializer(erasure).data, status=status.HTTP_201_CREATED)
