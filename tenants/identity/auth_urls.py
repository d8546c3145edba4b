"""/api/v1/auth/: sign-in tokens (tenants.identity.auth_api) and integration tokens
(tenants.identity.integration_tokens_api)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tenants.identity.auth_api import ObtainTokenPairView, RefreshTokenView, RevokeTokenView, SignOutEverywhereView
from tenants.identity.integration_tokens_api import IntegrationTokenViewSet

router = SimpleRouter()
router.register("integration-tokens", IntegrationTokenViewSet, basename="integration-token")

urlpatterns = [
    path("token/", ObtainTokenPairView.as_view(), name="auth-token-pair"),
    path("token/refresh/", RefreshTokenView.as_view(), name="auth-token-refresh"),
    path("token/revoke/", RevokeTokenView.as_view(), name="auth-token-revoke"),
    path("sign-out-everywhere/", SignOutEverywhereView.as_view(), name="auth-sign-out-everywhere"),
    path("", include(router.urls)),
]
