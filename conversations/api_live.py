"""Writing to the agents through the API and following a conversation's events.

Async views (adrf): a client that waits for an answer or the next event holds no
worker thread, only a channel-layer subscription.
"""

import asyncio

from adrf.views import APIView
from asgiref.sync import sync_to_async
from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from agents.models import AgentType
from conversations import events
from conversations.access import conversations_for, get_conversation_for_user, shows_unmasked
from conversations.api import CLIENT_MSG_ID_MAX, MessageSerializer
from conversations.models import Channel, Conversation, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import Accepted, accept, client_message_id
from conversations.privacy import frame_for_viewer
from core.api_fields import StrictCharField
from tenants.access import Need
from tenants.privacy.audit import Origin, record
from tenants.privacy.reveal import RevealQuery, requested_reveal


class PostMessageSerializer(serializers.Serializer):
    message = StrictCharField(trim_whitespace=True, help_text="What you write to the agent.")
    agent = serializers.ChoiceField(choices=AgentType.choices, required=False, help_text="Talk to this agent.")
    client_msg_id = StrictCharField(
        max_length=CLIENT_MSG_ID_MAX,
        required=False,
        help_text="Your id for this message; a retry with it is stored and answered once.",
    )


class WaitSerializer(serializers.Serializer):
    wait = serializers.IntegerField(
        min_value=0, required=False, default=0, help_text="Seconds to wait (capped by the server)."
    )


class EventsQuerySerializer(WaitSerializer, RevealQuery):
    after = serializers.IntegerField(min_value=0, required=False, default=0, help_text="The last seq you have.")


class AcceptedSerializer(serializers.Serializer):
    """A stored message, where to follow its conversation, and the reply if it came within `wait`."""

    conversation_id = serializers.UUIDField()
    duplicate = serializers.BooleanField(help_text="A retry of a message already stored (same `client_msg_id`).")
    message = MessageSerializer()
    seq = serializers.IntegerField(help_text="The conversation's seq once the message was stored.")
    events_url = serializers.CharField(help_text="Read the answer here: the events after `seq`.")
    reply = MessageSerializer(allow_null=True, help_text="The agent's reply, when it came within `wait`.")


class EventsSerializer(serializers.Serializer):
    conversation_id = serializers.UUIDField()
    seq = serializers.IntegerField(help_text="The conversation's latest seq; pass it as `after` next time.")
    events = serializers.ListField(
        child=serializers.DictField(),
        help_text="Stored events after `after`, oldest first (at most 500), as in the chat protocol.",
    )


def _wait_seconds(request) -> float:
    form = WaitSerializer(data=request.query_params)
    form.is_valid(raise_exception=True)
    return min(form.validated_data["wait"], settings.API_EVENTS_MAX_WAIT)


def _events_url(conversation_id, seq: int) -> str:
    return f"/api/conversations/{conversation_id}/events/?after={seq}"


class ConversationMessagesView(APIView):
    @extend_schema(
        operation_id="conversations_messages_create",
        request=PostMessageSerializer,
        parameters=[OpenApiParameter("wait", OpenApiTypes.INT, description="Seconds to wait for the reply.")],
        responses={
            202: AcceptedSerializer,
            200: OpenApiResponse(AcceptedSerializer, description="Stored, and answered within `wait`."),
            400: OpenApiResponse(description="`{code, detail}` or field errors."),
            403: OpenApiResponse(description="Not your conversation."),
            404: OpenApiResponse(description="No such conversation for you."),
        },
    )
    async def post(self, request, pk):
        """Write to the agent: stored at once (202); the answer follows as an `agent_response` event.

        With `?wait=<seconds>` the reply is included (200) if it comes in time.
        """
        form = PostMessageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        wait = _wait_seconds(request)
        accepted = await sync_to_async(_accept)(request.user, pk, form.validated_data)
        message = accepted.message
        reply = await sync_to_async(_reply_to)(message) if accepted.duplicate else None
        if reply is None and wait:
            reply = await _wait_for_reply(message, wait)
        seq = accepted.frame["seq"] if accepted.frame else message.seq or 0
        body = {
            "conversation_id": message.conversation_id,
            "duplicate": accepted.duplicate,
            "message": message,
            "seq": seq,
            "events_url": _events_url(message.conversation_id, seq),
            "reply": reply,
        }
        own = {"unmasked": {message.conversation_id}}  # only the person the conversation is with writes in it
        answer = status.HTTP_200_OK if reply else status.HTTP_202_ACCEPTED
        return Response(AcceptedSerializer(body, context=own).data, status=answer)


def _accept(user, conversation_id, data) -> Accepted:
    client_id = data.get("client_msg_id")
    inbound = InboundMessage(
        channel=Channel.API,  # the door it came through; it is stored on the conversation's own channel
        text=data["message"],
        user_id=user.pk,
        conversation_id=conversation_id,
        agent_type=data.get("agent"),
        client_msg_id=client_id,
        channel_message_id=client_message_id(user, client_id),
    )
    try:
        return accept(inbound, user=user)
    except IngestError as err:
        if err.code != "not_found":
            raise  # answered at its code's status (core.errors)
        if conversations_for(user).filter(pk=conversation_id).exists():
            raise PermissionDenied("You can only write in your own conversations.") from None
        raise NotFound(err.detail) from None


def _reply_to(message: Message) -> Message | None:
    return message.replies.filter(direction=Message.Direction.OUTBOUND).order_by("created_at").first()


async def _wait_for_reply(message: Message, seconds: float) -> Message | None:
    """The agent_response event answering `message`, waited for up to `seconds`."""
    loop = asyncio.get_running_loop()
    deadline, after = loop.time() + seconds, message.seq or 0
    while (left := deadline - loop.time()) > 0:
        frames = await events.wait_for_events(message.conversation_id, after, left)
        for frame in frames:
            if frame["type"] == events.EventKind.AGENT_RESPONSE and frame.get("in_reply_to") == str(message.pk):
                return await Message.objects.filter(pk=frame["message_id"]).afirst()
        if frames:
            after = frames[-1]["seq"]
    return None


class ConversationEventsView(APIView):
    @extend_schema(
        operation_id="conversations_events_list",
        parameters=[EventsQuerySerializer],
        responses={
            200: EventsSerializer,
            400: OpenApiResponse(description="`after` or `wait` is not a whole number of at least 0."),
            404: OpenApiResponse(description="No such conversation for you."),
        },
    )
    async def get(self, request, pk):
        """The conversation's stored events after `after` (as the chat protocol numbers them).

        With `?wait=<seconds>` (up to the server's cap, 30 by default) and nothing new yet,
        the answer comes as soon as the next event is stored, or empty when the time is up.
        """
        form = EventsQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        after = form.validated_data["after"]
        wait = min(form.validated_data["wait"], settings.API_EVENTS_MAX_WAIT)
        conversation, unmasked = await sync_to_async(_open_for_reading)(request, pk)
        frames = await events.wait_for_events(conversation.pk, after, wait)
        latest = max([conversation.event_seq, *(f["seq"] for f in frames)])
        frames = [frame_for_viewer(frame, revealed=unmasked) for frame in frames]
        return Response(EventsSerializer({"conversation_id": conversation.pk, "seq": latest, "events": frames}).data)


def _open_for_reading(request, pk) -> tuple[Conversation, bool]:
    """The conversation (404 outside what the caller may see), recorded as read; and whether it shows unmasked."""
    conversation = get_conversation_for_user(request.user, pk, Need.VIEW)
    reveal, reason = requested_reveal(request, conversation.tenant)
    record(request.user, conversation, tenant=conversation.tenant, origin=Origin.of_request(request), revealed=reveal,
           reason=reason)  # fmt: skip
    return conversation, reveal or shows_unmasked(request.user, conversation)
