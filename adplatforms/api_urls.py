from rest_framework.routers import SimpleRouter

from adplatforms.api import AdConnectionViewSet

router = SimpleRouter()
router.register("ad-connections", AdConnectionViewSet, basename="ad-connection")

urlpatterns = router.urls
