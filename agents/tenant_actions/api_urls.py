from rest_framework.routers import SimpleRouter

from agents.tenant_actions.api import ActionTypeViewSet

router = SimpleRouter()
router.register("action-types", ActionTypeViewSet, basename="action-type")

urlpatterns = router.urls
