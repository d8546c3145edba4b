"""The API's password sign-in, one sequence for both doors that take a password (/api/v1/auth/token/ for a token
pair, the older /api/auth/token/ for a DRF token): the password (django-axes counts a miss), the tenant's "password
sign-in disabled", then the second factor (tenants.identity.signin.api_factor). A door only turns the person into its
token.
"""

from django.contrib.auth import authenticate
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from tenants.identity.signin.api_factor import check_second_factor
from tenants.identity.sso.domains import password_refusal

WRONG_PASSWORD = "Email or password is wrong, or the account is disabled."


def sign_in_by_password(request, credentials: dict):
    """The person `credentials` (a valid TokenRequestSerializer's data: email, password, code) sign in, or the
    refusal. `request` is the Django request, so django-axes counts a miss and its middleware answers a lockout
    (tenants.identity.login_guard)."""
    user = authenticate(request, email=credentials["email"], password=credentials["password"])
    if user is None:
        raise serializers.ValidationError({"detail": WRONG_PASSWORD})
    if refusal := password_refusal(user):
        raise PermissionDenied(refusal, code="password_sign_in_disabled")
    check_second_factor(user, credentials.get("code", ""))
    return user
