from django.urls import path
from rest_framework.routers import SimpleRouter

from conversations.api import ConversationViewSet
from conversations.api_live import ConversationEventsView, ConversationMessagesView

router = SimpleRouter()
router.register("conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    path("conversations/<uuid:pk>/messages/", ConversationMessagesView.as_view(), name="conversation-messages"),
    path("conversations/<uuid:pk>/events/", ConversationEventsView.as_view(), name="conversation-events"),
    *router.urls,
]
