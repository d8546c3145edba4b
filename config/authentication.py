"""The API's authentication: JWT access tokens (`Bearer`) and DRF's tokens, each loading the user's tenant with
the user, since every request reads it."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from tenants.models import User

EXPIRED = "The access token has expired: get a new one with your refresh token (POST /api/v1/auth/token/refresh/)."


class CredentialRefused(exceptions.APIException):
    """A credential was sent and is no good: 401 with a code that says why. Not DRF's AuthenticationFailed, which
    answers 403 here (session authentication, first, answers anonymous callers)."""

    status_code = 401

    def __init__(self, code: str, detail: str, scheme: str):
        super().__init__(detail, code)
        self.auth_header = f'{scheme} error="invalid_token"'


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
