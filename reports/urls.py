from django.urls import path

from reports import api

urlpatterns = [
    path("conversations/", api.ConversationReportView.as_view(), name="analytics-conversations"),
    path("conversations/export/", api.ConversationReportExportView.as_view(), name="analytics-conversations-export"),
    path("hitl/", api.ApprovalReportView.as_view(), name="analytics-hitl"),
    path("hitl/export/", api.ApprovalReportExportView.as_view(), name="analytics-hitl-export"),
    path("payoff/", api.PayoffReportView.as_view(), name="analytics-payoff"),
    path("payoff/export/", api.PayoffReportExportView.as_view(), name="analytics-payoff-export"),
    path("payoff/changes/export/", api.PayoffChangesExportView.as_view(), name="analytics-payoff-changes-export"),
    path("exports/conversations/", api.ConversationExportView.as_view(), name="export-conversations"),
    path("exports/access-log/", api.AccessLogExportView.as_view(), name="export-access-log"),
]
