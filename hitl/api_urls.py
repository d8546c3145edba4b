from rest_framework.routers import SimpleRouter

from hitl.api import ApprovalViewSet, NotificationViewSet, WorkflowViewSet

router = SimpleRouter()
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
