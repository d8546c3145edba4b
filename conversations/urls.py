from django.urls import path
from rest_framework.routers import SimpleRouter

from conversations.api import ConversationViewSet
from conversations.api_live import ConversationEventsView, ConversationMessagesView
from conversations.api_takeover import ConversationTakeoverViewSet

router = SimpleRouter()
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("conversations", ConversationTakeoverViewSet, basename="conversation-takeover")

urlpatterns = [
    path("conversations/<uuid:pk>/messages/", ConversationMessagesView.as_view(), name="conversation-messages"),
    path("conversations/<uuid:pk>/events/", ConversationEventsView.as_view(), name="conversation-events"),
    *router.urls,
]
