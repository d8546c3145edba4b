from django.db.models import Count
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from agents.models import AgentType
from conversations.models import Channel, Conversation, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import ingest
from conversations.services import mark_delivered, open_conversation

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
    agent = serializers.CharField(source="agent.agent_type", default=None, read_only=True)
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


class PostMessageSerializer(serializers.Serializer):
    message = serializers.CharField(trim_whitespace=True, help_text="What you write to the agent.")
    agent = serializers.ChoiceField(choices=AgentType.choices, required=False, help_text="Talk to this agent.")
    client_msg_id = serializers.CharField(
        max_length=CLIENT_MSG_ID_MAX,
        required=False,
        help_text="Your id for this message; a retry with it is answered once.",
    )


class StartConversationSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[Channel.API, Channel.CHAT], default=Channel.API)
    message = serializers.CharField(required=False, trim_whitespace=True)
    agent = serializers.ChoiceField(choices=AgentType.choices, required=False)
    client_msg_id = serializers.CharField(max_length=CLIENT_MSG_ID_MAX, required=False)


class ActionOutcomeSerializer(serializers.Serializer):
    summary = serializers.CharField()
    status = serializers.CharField(help_text="The approval's status, or `refused` by the tool gateway.")
    approval_id = serializers.UUIDField(required=False)
    reference = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)


class ExchangeSerializer(serializers.Serializer):
    """One message in and the agent's reply out."""

    conversation_id = serializers.UUIDField(source="conversation.pk")
    duplicate = serializers.BooleanField()
    inbound = MessageSerializer()
    reply = MessageSerializer(allow_null=True)
    actions = ActionOutcomeSerializer(many=True, source="action_dicts")


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
        """Start a conversation, optionally with a first message (answered in the response)."""
        if request.user.tenant_id is None:
            raise PermissionDenied(
                "Conversations belong to a tenant; a platform superuser without one cannot start them."
            )
        form = StartConversationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        conversation = open_conversation(request.user, form.validated_data["channel"])
        if "message" in form.validated_data:
            self._exchange(request, conversation, form.validated_data)
        conversation = self.get_queryset().get(pk=conversation.pk)
        return Response(ConversationDetailSerializer(conversation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PostMessageSerializer, responses={200: ExchangeSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        """Write to the agent in this conversation, through the same pipeline as every channel."""
        conversation = self.get_object()
        if conversation.user_id != request.user.pk:
            raise PermissionDenied("You can only write in your own conversations.")
        form = PostMessageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = self._exchange(request, conversation, form.validated_data)
        return Response(ExchangeSerializer(result).data)

    def _exchange(self, request, conversation, data):
        client_id = data.get("client_msg_id")
        try:
            result = ingest(
                InboundMessage(
                    channel=conversation.channel,
                    text=data["message"],
                    user_id=request.user.pk,
                    conversation_id=conversation.pk,
                    agent_type=data.get("agent"),
                    # Namespaced by user so one client's ids never collide with another's.
                    channel_message_id=f"{request.user.pk}:{client_id}" if client_id else None,
                )
            )
        except IngestError as err:
            if err.code == "not_found":
                raise NotFound(err.detail) from None
            raise ValidationError({"code": err.code, "detail": err.detail}) from None
        if result.reply is not None:
            mark_delivered(result.reply)  # the reply travels back in this response
        result.action_dicts = [outcome.as_dict() for outcome in result.actions]
        return result
