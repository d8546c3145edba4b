from rest_framework.routers import SimpleRouter

from hitl.api import ApprovalViewSet, NotificationViewSet, WorkflowViewSet
from hitl.standing_api import StandingApprovalViewSet

router = SimpleRouter()
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("standing-approvals", StandingApprovalViewSet, basename="standing-approval")

urlpatterns = router.urls
