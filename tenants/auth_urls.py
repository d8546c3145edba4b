"""/api/v1/auth/: the API's sign-in tokens (tenants.auth_api)."""

from django.urls import path

from tenants.auth_api import ObtainTokenPairView, RefreshTokenView, RevokeTokenView, SignOutEverywhereView

urlpatterns = [
    path("token/", ObtainTokenPairView.as_view(), name="auth-token-pair"),
    path("token/refresh/", RefreshTokenView.as_view(), name="auth-token-refresh"),
    path("token/revoke/", RevokeTokenView.as_view(), name="auth-token-revoke"),
    path("sign-out-everywhere/", SignOutEverywhereView.as_view(), name="auth-sign-out-everywhere"),
]
