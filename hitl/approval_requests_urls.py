from django.urls import path

from hitl.approval_requests_api import ApprovalRequestResultView, ApprovalRequestsView, ApprovalRequestView

urlpatterns = [
    path("approval-requests/", ApprovalRequestsView.as_view(), name="approval-requests"),
    path("approval-requests/<uuid:pk>/", ApprovalRequestView.as_view(), name="approval-request"),
    path("approval-requests/<uuid:pk>/result/", ApprovalRequestResultView.as_view(), name="approval-request-result"),
]
