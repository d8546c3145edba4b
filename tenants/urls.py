from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tenants.api import MeView, ObtainTokenView, SubjectRequestViewSet, UserViewSet
from tenants.identity.invitations_api import InvitationViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("subject-requests", SubjectRequestViewSet, basename="subject-request")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("", include(router.urls)),
]
