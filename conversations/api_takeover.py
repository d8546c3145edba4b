"""Human takeover through the API: `POST /api/conversations/{id}/assign/`, `…/replies/`, `…/notes/`, `…/release/`,
`…/resolve/` and `…/suggest/`, for the people who may handle the tenant's conversations (conversations.access).

The steps are conversations.takeover's; this module only reads bodies and shapes answers. A state that does
not allow the step (held by someone else, not held by you, closed) answers 409; ending or passing on a hold
someone else has, unless you are a tenant admin, answers 403.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from conversations import takeover
from conversations.api import ConversationSerializer, ConversationViewSet, MessageSerializer
from conversations.models import ConversationNote
from core.api_fields import StrictCharField
from tenants.pii import redact
from tenants.privacy.audit import may_see_pii


class AssignSerializer(serializers.Serializer):
    user = serializers.UUIDField(
        required=False, allow_null=True, help_text="Who takes it: a colleague who may handle it. Empty: you."
    )


class TextSerializer(serializers.Serializer):
    text = StrictCharField(trim_whitespace=True, help_text="At most INBOUND_MAX_CHARS (4,000) characters.")


class ReplySerializer(MessageSerializer):
    """A person's reply as its channel left it: `status` says what happened (`delivered` on chat and the API,
    `sent`, `pending`: queued for sending, `blocked`: the channel's rules forbid it, e.g. WhatsApp's 24-hour
    window, or `failed`), and `error` why it was not sent."""

    error = serializers.SerializerMethodField(help_text="Why the reply was not sent (blocked or failed); else empty.")

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "error"]

    def get_error(self, message) -> str:
        return redact(message.error)  # a provider's answer may quote the customer's number


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(help_text="Masked unless you may see personal data.")

    class Meta:
        model = ConversationNote
        fields = ["id", "author", "text", "created_at"]

    def get_author(self, note) -> str | None:
        return takeover.display_name(note.author) if note.author else None

    def get_text(self, note) -> str:
        return note.text if self.context.get("revealed") else note.masked_text


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_null=True,
        help_text="What the agent would answer (masked unless you may see personal data); null when it has no "
        "answer worth sending (it did not understand, or it failed): `notice` says so.",
    )
    notice = serializers.CharField(allow_null=True, help_text="Why there is no suggestion, to show the person.")
    agent = serializers.CharField(allow_null=True)
    in_reply_to = serializers.UUIDField(help_text="The customer message it answers.")
    would_propose = serializers.ListField(
        child=serializers.CharField(), help_text="Actions the agent would have proposed; a person's reply files none."
    )


class ConversationTakeoverViewSet(viewsets.GenericViewSet):
    """The takeover steps, under the conversations' own addresses (the router gives them only these actions)."""

    get_queryset = ConversationViewSet.get_queryset
    serializers_by_action = {"assign": AssignSerializer, "replies": TextSerializer, "notes": TextSerializer}

    def get_serializer_class(self):
        """The body each step reads; steps without a body (and OPTIONS) describe none."""
        return self.serializers_by_action.get(self.action, serializers.Serializer)

    def _step(self, request, operation):
        """Run a step on the conversation in the URL; a refusal answers at its code's status (core.errors: 409 for
        a refusal of state, 404 outside what you see, 403 without the right, 400 for bad input)."""
        conversation = self.get_object()  # 404 outside what the caller may see (or a malformed id)
        return operation(conversation)

    def _changed(self, request, service, **kwargs):
        """A step that changes the conversation's state; answers the conversation as it now stands."""

        def run(conversation):
            service(conversation.pk, actor=request.user, **kwargs)
            fresh = self.get_queryset().get(pk=conversation.pk)
            return Response(ConversationSerializer(fresh, context=self.get_serializer_context()).data)

        return self._step(request, run)

    @extend_schema(request=AssignSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Take the conversation over (empty body) or assign it to a colleague who may handle it."""
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._changed(request, takeover.assign, to=form.validated_data.get("user"))

    @extend_schema(request=TextSerializer, responses={201: ReplySerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        """Reply as yourself on the conversation's channel; only the person who holds it may. The answer's `status`
        is the real outcome: `blocked` (with `error`) when the channel's rules refuse it, `pending` while queued."""
        form = TextSerializer(data=request.data)
        form.is_valid(raise_exception=True)

        def run(conversation):
            message = takeover.reply(conversation.pk, actor=request.user, text=form.validated_data["text"])
            message.refresh_from_db(fields=["status", "error"])  # a sender that ran on commit may have moved it on
            context = {"unmasked": {conversation.pk}}  # the words you just wrote
            return Response(ReplySerializer(message, context=context).data, status=status.HTTP_201_CREATED)

        return self._step(request, run)

    @extend_schema(request=TextSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """Add an internal note: stored, never sent, never shown to the customer."""
        form = TextSerializer(data=request.data)
        form.is_valid(raise_exception=True)

        def run(conversation):
            note = takeover.add_note(conversation.pk, actor=request.user, text=form.validated_data["text"])
            return Response(NoteSerializer(note, context={"revealed": True}).data, status=status.HTTP_201_CREATED)

        return self._step(request, run)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Hand the conversation back to the agents (its holder, or a tenant admin)."""
        return self._changed(request, takeover.release)

    @extend_schema(request=None, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Close the conversation as resolved (and hand it back if a person held it: its holder, or a tenant admin)."""
        return self._changed(request, takeover.resolve)

    @extend_schema(request=None, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def suggest(self, request, pk=None):
        """What the agent would answer to the latest customer message, to send as is or edit: nothing is stored."""

        def run(conversation):
            suggestion = takeover.suggest(conversation.pk, actor=request.user)
            revealed = may_see_pii(request.user, conversation.tenant)
            data = {
                "text": suggestion.text if revealed or suggestion.text is None else redact(suggestion.text),
                "notice": str(takeover.NO_SUGGESTION) if suggestion.text is None else None,
                "agent": suggestion.agent,
                "in_reply_to": suggestion.in_reply_to.pk,
                "would_propose": [text if revealed else redact(text) for text in suggestion.would_propose],
            }
            return Response(SuggestionSerializer(data).data)

        return self._step(request, run)
