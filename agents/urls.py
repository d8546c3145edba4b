from django.urls import path

from agents import tool_callback
from agents.import_api import ImportView

app_name = "agents"

urlpatterns = [
    path("agents/tools/<str:token>/", tool_callback.call_tool, {"tool": ""}, name="read-tools"),
    path("agents/tools/<str:token>/<slug:tool>", tool_callback.call_tool, name="read-tool"),
    path("api/imports/<slug:kind>/", ImportView.as_view(), name="import"),  # marketing data as CSV (docs/imports.md)
]
