from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tenants.api import MeView, ObtainTokenView, SubjectRequestViewSet, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("subject-requests", SubjectRequestViewSet, basename="subject-request")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("", include(router.urls)),
]
