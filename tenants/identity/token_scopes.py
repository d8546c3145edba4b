"""What an integration token may do on each API request: reading (safe methods) needs `read`, anything else
`write`, and a view or action that says `token_scope = "decide"` (deciding approvals) needs `decide`. The
token's owner's own permissions still apply after this: a token never exceeds its owner.

Sessions and access tokens from a password sign-in carry no scopes: they are the person."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework_simplejwt.tokens import AccessToken

from tenants.models import IntegrationToken

Scope = IntegrationToken.Scope


def required_scope(request, view) -> str:
    declared = getattr(view, "token_scope", None)
    if declared:
        return declared
    return Scope.READ if request.method in SAFE_METHODS else Scope.WRITE


class TokenScopePermission(BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, IntegrationToken):
            return True
        needed = required_scope(request, view)
        if needed not in token.scopes:
            raise PermissionDenied(f'This integration token lacks the "{needed}" scope.', code="scope_missing")
        return True


def by_password(request) -> bool:
    """The caller is the person (a session, or an access token from a password sign-in), not a token acting for
    them: only they make, list and revoke tokens, or sign out everywhere."""
    return request.auth is None or isinstance(request.auth, AccessToken)
