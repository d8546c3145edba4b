from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agents.models import AgentType
from conversations.access import conversations_for, shows_unmasked
from conversations.inbox import message_total
from conversations.models import Channel, Conversation, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept, client_message_id
from conversations.privacy import masked_action, message_text
from conversations.services import open_conversation
from conversations.takeover import display_name
from core.api_fields import StrictCharField
from core.serializer_fields_once import FieldsBuiltOnce
from tenants.pii import mask
from tenants.privacy.audit import Origin, record
from tenants.privacy.reveal import RevealQuery, requested_reveal

CLIENT_MSG_ID_MAX = 100


class MessageSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField(help_text="Who of the tenant wrote a `human` reply (their name).")

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
            "name",
            "actions",
            "created_at",
        ]

    def get_actions(self, message) -> list[dict]:
        actions = message.metadata.get("actions", [])
        return actions if self._revealed(message.conversation_id) else [masked_action(a) for a in actions]

    def to_representation(self, message):
        data = super().to_representation(message)
        data["text"] = message_text(message, revealed=self._revealed(message.conversation_id))
        return data

    def _revealed(self, conversation_id) -> bool:
        """Unmasked for the person the conversation is with, or on a reveal (the view decides; default: masked)."""
        return conversation_id in self.context.get("unmasked", ())

    def get_agent(self, message) -> str | None:
        return message.metadata.get("agent_type")

    def get_name(self, message) -> str | None:
        return message.metadata.get("author") if message.sender_type == Message.SenderType.HUMAN else None


class HolderSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return display_name(user)


class ConversationSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.agent_type", default=None, read_only=True, allow_null=True)
    user = serializers.SerializerMethodField(help_text="The person's email, masked unless yours or revealed.")
    message_count = serializers.IntegerField(read_only=True)
    held_by = HolderSerializer(
        read_only=True, allow_null=True, help_text="The person of the tenant answering instead of the agents."
    )

    def get_user(self, conversation) -> str:
        email = conversation.user.email
        return email if conversation.pk in self.context.get("unmasked", ()) else mask(email)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "status",
            "agent",
            "user",
            "message_count",
            "held_by",
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
    message = StrictCharField(required=False, trim_whitespace=True)
    agent = serializers.ChoiceField(choices=AgentType.choices, required=False)
    client_msg_id = StrictCharField(max_length=CLIENT_MSG_ID_MAX, required=False)


class ConversationFilter(filters.FilterSet):
    agent = filters.ChoiceFilter(field_name="agent__agent_type", choices=AgentType.choices)

    class Meta:
        model = Conversation
        fields = ["channel", "status", "agent"]


class ConversationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Conversations with the Walker agents: your own, and the tenant's for the roles that monitor them
    (admin, support, compliance). Personal data in other people's conversations is masked; holders of
    view_pii may pass `?reveal=1&reason=<why>`. Every read is recorded in the access log."""

    filterset_class = ConversationFilter

    def get_queryset(self):
        conversations = (
            conversations_for(self.request.user)
            .select_related("agent", "user", "held_by")
            .annotate(message_count=message_total())
            .order_by("-last_message_at", "-pk")
        )
        return conversations.prefetch_related("messages") if self.action == "retrieve" else conversations

    def get_serializer_class(self):
        return ConversationDetailSerializer if self.action == "retrieve" else ConversationSerializer

    @extend_schema(parameters=[RevealQuery])
    def list(self, request, *args, **kwargs):
        reveal, reason = requested_reveal(request, request.user.tenant)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if page:
            record(request.user, page, tenant=request.user.tenant, origin=Origin.of_request(request), revealed=reveal,
                   reason=reason)  # fmt: skip
        context = {**self.get_serializer_context(), "unmasked": _unmasked(request.user, page, reveal)}
        return self.get_paginated_response(ConversationSerializer(page, many=True, context=context).data)

    @extend_schema(parameters=[RevealQuery])
    def retrieve(self, request, *args, **kwargs):
        conversation = self.get_object()  # 404 outside what the caller may see
        reveal, reason = requested_reveal(request, conversation.tenant)
        record(request.user, conversation, tenant=conversation.tenant, origin=Origin.of_request(request),
               revealed=reveal, reason=reason)  # fmt: skip
        context = {**self.get_serializer_context(), "unmasked": _unmasked(request.user, [conversation], reveal)}
        return Response(ConversationDetailSerializer(conversation, context=context).data)

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
            if "message" in data:  # refused (IngestError: 400): the conversation is not kept either
                accept(_first_message(request.user, conversation, data), user=request.user)
        conversation = self.get_queryset().get(pk=conversation.pk)
        context = {**self.get_serializer_context(), "unmasked": {conversation.pk}}  # the caller's own
        return Response(
            ConversationDetailSerializer(conversation, context=context).data, status=status.HTTP_201_CREATED
        )


def _unmasked(user, conversations, reveal: bool) -> set:
    """The conversations shown unmasked: all on a reveal, else the caller's own."""
    return {c.pk for c in conversations if reveal or shows_unmasked(user, c)}


def _first_message(user, conversation, data) -> InboundMessage:
    client_id = data.get("client_msg_id")
    return InboundMessage(
        channel=conversation.channel,
        text=data["message"],
        user_id=user.pk,
        conversation_id=conversation.pk,
        agent_type=data.get("agent"),
        client_msg_id=client_id,
        channel_message_id=client_message_id(user, client_id),
    )
