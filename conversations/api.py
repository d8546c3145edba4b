from django.db import transaction
from django.db.models import Count
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from agents.models import AgentType
from conversations.models import Channel, Conversation, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import accept
from conversations.services import open_conversation

CLIENT_MSG_ID_MAX = 100


class MessageSerializer(serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "sender_type",
            "content_type",
            "text",
            "media_url",
            "status",
            "agent",
            "actions",
            "created_at",
        ]

    def get_actions(self, message) -> list[dict]:
        return message.metadata.get("actions", [])

    def get_agent(self, message) -> str | None:
        return message.metadata.get("agent_type")


class ConversationSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.agent_type", default=None, read_only=True, allow_null=True)
    user = serializers.EmailField(source="user.email", read_only=True)
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "status",
            "agent",
            "user",
            "message_count",
            "started_at",
            "last_message_at",
            "ended_at",
        ]


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]


class StartConversationSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[Channel.API, Channel.CHAT], default=Channel.API)
    message = serializers.CharField(required=False, trim_whitespace=True)
    agent = serializers.ChoiceField(choices=AgentType.choices, required=False)
    client_msg_id = serializers.CharField(max_length=CLIENT_MSG_ID_MAX, required=False)


class ConversationFilter(filters.FilterSet):
    agent = filters.ChoiceFilter(field_name="agent__agent_type", choices=AgentType.choices)

    class Meta:
        model = Conversation
        fields = ["channel", "status", "agent"]


class ConversationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Conversations with the Walker agents. Members see their own; the tenant's staff see all of the tenant's."""

    filterset_class = ConversationFilter

    def get_queryset(self):
        conversations = (
            Conversation.objects.for_user(self.request.user)
            .select_related("agent", "user")
            .annotate(message_count=Count("messages"))
            .order_by("-last_message_at", "-pk")  # a GROUP BY query drops Meta.ordering
        )
        return conversations.prefetch_related("messages") if self.action == "retrieve" else conversations

    def get_serializer_class(self):
        return ConversationDetailSerializer if self.action == "retrieve" else ConversationSerializer

    @extend_schema(request=StartConversationSerializer, responses={201: ConversationDetailSerializer})
    def create(self, request):
        """Start a conversation, optionally with a first message; its answer follows as an event."""
        if request.user.tenant_id is None:
            raise PermissionDenied(
                "Conversations belong to a tenant; a platform superuser without one cannot start them."
            )
        form = StartConversationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with transaction.atomic():
            conversation = open_conversation(request.user, data["channel"])
            if "message" in data:
                try:
                    accept(_first_message(request.user, conversation, data), user=request.user)
                except IngestError as err:
                    transaction.set_rollback(True)
                    raise ValidationError({"code": err.code, "detail": err.detail}) from None
        conversation = self.get_queryset().get(pk=conversation.pk)
        return Response(ConversationDetailSerializer(conversation).data, status=status.HTTP_201_CREATED)


def _first_message(user, conversation, data) -> InboundMessage:
    client_id = data.get("client_msg_id")
    return InboundMessage(
        channel=conversation.channel,
        text=data["message"],
        user_id=user.pk,
        conversation_id=conversation.pk,
        agent_type=data.get("agent"),
        client_msg_id=client_id,
        channel_message_id=f"{user.pk}:{client_id}" if client_id else None,
    )
