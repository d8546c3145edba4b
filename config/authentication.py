"""The API's authentication: integration tokens (`wk_…`), JWT access tokens (`Bearer`) and DRF's tokens, each
loading the user's tenant with the user, since every request reads it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from core.errors import WalkerError
from tenants.identity import integration_tokens
from tenants.models import User

EXPIRED = "The access token has expired: get a new one with your refresh token (POST /api/v1/auth/token/refresh/)."


class CredentialRefused(exceptions.APIException):
    """A credential was sent and is no good: 401 with a code that says why. Not DRF's AuthenticationFailed, which
    answers 403 here (session authentication, first, answers anonymous callers)."""

    status_code = 401

    def __init__(self, code: str, detail: str, scheme: str):
        super().__init__(detail, code)
        self.auth_header = f'{scheme} error="invalid_token"'


class IntegrationTokenAuthentication(BaseAuthentication):
    """`Authorization: Token wk_…` (or `Bearer wk_…`): an integration token, recognised by its prefix before DRF's
    tokens and JWT read the header. The request acts as the token's owner; `request.auth` is the token, whose
    scopes tenants.identity.token_scopes checks."""

    SCHEMES = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() not in self.SCHEMES:
            return None
        try:
            credential = parts[1].decode("ascii")
        except UnicodeDecodeError:
            return None
        if not integration_tokens.looks_like_one(credential):
            return None
        try:
            token = integration_tokens.authenticate(credential)
        except WalkerError as refusal:
            raise CredentialRefused(refusal.code, refusal.detail, "Token") from None
        return token.owner, token


class TenantTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__tenant").get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token


class WalkerJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access token>`. Refusals say why: expired (refresh it), revoked by a new password,
    an account disabled."""

    def get_validated_token(self, raw_token):
        try:
            return AccessToken(raw_token)
        except ExpiredTokenError:
            raise self.refused("token_expired", EXPIRED) from None
        except TokenError:
            raise self.refused("token_not_valid", "The access token is not valid.") from None

    def get_user(self, validated_token):
        user = User.objects.select_related("tenant").filter(pk=validated_token.get(api_settings.USER_ID_CLAIM)).first()
        if user is None or not user.is_active:
            raise self.refused("account_inactive", "This account is disabled or no longer exists.")
        if validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise self.refused("token_revoked", "The password changed since this token was issued: sign in again.")
        return user

    @staticmethod
    def refused(code: str, detail: str) -> CredentialRefused:
        return CredentialRefused(code, detail, "Bearer")


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents integration tokens."""

    target_class = IntegrationTokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class WalkerJWTScheme(OpenApiAuthenticationExtension):
    """How the schema documents access tokens from a password sign-in."""

    target_class = WalkerJWTAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer",
                                                   bearer_format="JWT")  # fmt: skip
