from django.contrib.auth import authenticate
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tenants.models import Tenant, User
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
    """People of the caller's tenant."""

    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        return User.objects.for_user(self.request.user)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange an email and password for an API token (send it as `Authorization: Token <token>`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The Django request, so django-axes' middleware sees a lockout and answers 429 (tenants.login_guard).
        user = authenticate(
            request._request, email=form.validated_data["email"], password=form.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError({"detail": "Email or password is wrong, or the account is disabled."})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
