from django.urls import include, path

from channels_app.chat.api import WidgetTokenView
from channels_app.chat.views import widget_demo

urlpatterns = [
    path("api/chat/token/", WidgetTokenView.as_view(), name="chat-token"),
    path("widget/", widget_demo, name="widget-demo"),
    path("", include("channels_app.whatsapp.urls")),
]
