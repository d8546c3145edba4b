from django.urls import include, path

from channels_app.chat.api import WidgetTokenView
from channels_app.chat.views import member_home, member_home_column, widget_demo
from channels_app.email.views import delivery_event_webhook, inbound_parse

urlpatterns = [
    path("api/chat/token/", WidgetTokenView.as_view(), name="chat-token"),
    path("widget/", widget_demo, name="widget-demo"),
    path("chat/", member_home, name="chat-home"),
    path("chat/list/", member_home_column, name="chat-home-list"),
    path("chat/<uuid:conversation_id>/", member_home, name="chat-conversation"),
    path("channels/email/inbound", inbound_parse, name="email-inbound"),
    path("channels/email/events", delivery_event_webhook, name="email-events"),
    path("", include("channels_app.whatsapp.urls")),
]
