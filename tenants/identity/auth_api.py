"""The API's sign-in (/api/v1/auth/): email and password for a short-lived access token and a refresh token,
refresh (rotating), sign this client out, sign out everywhere. The tokens' lifecycle is tenants.identity.api_tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttling import ScopedRateThrottle
from tenants.identity import api_tokens
from tenants.identity.signin.api_password import sign_in_by_password
from tenants.identity.signin.sessions import end_all_sessions
from tenants.identity.token_scopes import by_password


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="When the person has a second factor (or their role needs one): a code from their authenticator "
        "app, or one of their recovery codes. Without it such a sign-in answers 401 `mfa_required`.",
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; short-lived.")
    refresh = serializers.CharField(help_text="Exchange once at /api/v1/auth/token/refresh/ for a new pair.")
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the access token lasts.")


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(trim_whitespace=True)


class SignedOutSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="Refresh tokens that were still good and are now revoked.")
    sessions_ended = serializers.IntegerField(help_text="Browser sessions ended (their open sockets close too).")


class ObtainTokenPairView(APIView):
    """Exchange an email and password (and `code`, the second factor, when the person has one or their role needs
    one) for an access token and a refresh token. Wrong passwords count towards the sign-in lockout like the console's
    (django-axes); wrong codes towards the second step's limit."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses=TokenPairSerializer)
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = sign_in_by_password(request._request, form.validated_data)
        return Response(api_tokens.issue_pair(user).as_answer())


class RefreshTokenView(APIView):
    """A new access token and a new refresh token for a refresh token used for the first time (it is then revoked:
    a second use is refused)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses=TokenPairSerializer)
    def post(self, request):
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(api_tokens.rotate(form.validated_data["refresh"]).as_answer())


class RevokeTokenView(APIView):
    """Sign this client out: its refresh token is revoked. Its access token ends with its short lifetime."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={204: None})
    def post(self, request):
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        api_tokens.revoke(form.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(APIView):
    """Revoke every refresh token of the caller (every signed-in client) and end their browser sessions, whose
    sockets close; their access tokens end within their lifetime. Not with an integration token: those are revoked
    one by one."""

    @extend_schema(request=None, responses=SignedOutSerializer)
    def post(self, request):
        if not by_password(request):
            raise PermissionDenied("Sign out everywhere with a signed-in session or an access token.")
        revoked = api_tokens.revoke_all(request.user)
        return Response({"revoked": revoked, "sessions_ended": end_all_sessions(request.user)})
