from django.urls import path

from agents import tool_callback

app_name = "agents"

urlpatterns = [
    path("agents/tools/<str:token>/", tool_callback.call_tool, {"tool": ""}, name="read-tools"),
    path("agents/tools/<str:token>/<slug:tool>", tool_callback.call_tool, name="read-tool"),
]
