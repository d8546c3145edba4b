import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.canned_text import unknown_variables
from core.when import day, moment
from tenants.fields import EncryptedTextField
from tenants.privacy.sealing import placeholders, seal, seal_for_storage, unseal, unseal_from_storage
from tenants.scoping import TenantScopedQuerySet


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("Email")
    CHAT = "chat", "Chat"
    API = "api", "API"


class ConversationQuerySet(TenantScopedQuerySet):
    def open(self):
        """Not closed, named by its statuses: the index on (tenant, status, …) serves `IN`, not `<> 'closed'`."""
        return self.filter(status__in=OPEN_STATUSES)

    def waiting_for_person(self):
        """Open, asked for a person, and no person holds it yet (the inbox's "Waiting for a person")."""
        return self.open().filter(person_requested_at__isnull=False, held_by__isnull=True)


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING_APPROVAL = "waiting_approval", _("Waiting for approval")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        """Why it was closed (the `conversation_closed` platform event's `reason`)."""

        IDLE = "idle", _("Quiet for too long")
        NEW_CONVERSATION = "new_conversation", _("A new conversation was started")
        RESOLVED = "resolved", _("Resolved by a person")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="conversations", verbose_name=_("tenant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("user")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    agent = models.ForeignKey(
        "agents.AIAgent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("agent"),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    last_message_at = models.DateTimeField(default=timezone.now, verbose_name=_("last message at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    event_seq = models.PositiveIntegerField(
        default=0, help_text=_("Sequence number of the latest chat event."), verbose_name=_("event seq")
    )
    # The answering queue: inbound messages are numbered by their `message_received` event; those with
    # a seq above `answered_seq` wait for the agent, and one worker at a time holds the lease to answer
    # them in order (conversations.pipeline.answering).
    last_inbound_seq = models.PositiveIntegerField(default=0, verbose_name=_("last inbound seq"))
    answered_seq = models.PositiveIntegerField(default=0, verbose_name=_("answered seq"))
    answer_lease = models.UUIDField(null=True, blank=True, verbose_name=_("answer lease"))
    answer_lease_until = models.DateTimeField(null=True, blank=True, verbose_name=_("answer lease until"))
    # Attempts begun at answering the oldest waiting message: each claim of the lease begins one, an answer stored
    # by the lease's holder begins the next (1) or none (0). Past ANSWER_ATTEMPTS the message gets an apology.
    answer_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("answer attempts"))
    # Human takeover (conversations.takeover): while a person of the tenant holds the conversation, the agents
    # store what comes in but do not answer it. Assigning hands the hold to a colleague.
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("held by"),
    )
    held_since = models.DateTimeField(null=True, blank=True, verbose_name=_("held since"))
    # The customer asked to talk to a person (conversations.person_asked): set once per ask, so support is told once;
    # ended by a person's reply or the conversation's close. While nobody holds it, it waits for a person.
    person_requested_at = models.DateTimeField(null=True, blank=True, verbose_name=_("person requested at"))

    # The tenant's rows; who of the tenant sees which is conversations.access.conversations_for, the one rule.
    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        permissions = [("handle_conversation", "Take over, answer, assign and resolve conversations")]
        indexes = [
            models.Index(fields=["tenant", "-last_message_at"]),  # admin and API lists
            models.Index(fields=["tenant", "status", "-last_message_at"]),
            models.Index(fields=["user", "channel", "status"]),  # the pipeline's find-open lookup
            models.Index(fields=["tenant", "channel", "started_at"]),  # analytics per channel per day
            models.Index(fields=["tenant", "started_at"]),  # a range of days: the dashboard's, a month's export
            models.Index(  # the sweep for messages whose answer task was lost
                fields=["last_message_at"],
                condition=models.Q(last_inbound_seq__gt=models.F("answered_seq")),
                name="conversation_unanswered",
            ),
            models.Index(  # the inbox's boxes counted from the index alone (conversations.inbox.boxes)
                fields=["tenant", "held_by", "person_requested_at"],
                condition=models.Q(status__in=["open", "waiting_approval"]),
                name="conversation_open_boxes",
            ),
        ]

    def __str__(self):
        # No personal data here: this string shows in page titles, breadcrumbs and audit records.
        return _("%(channel)s conversation %(id)s (%(date)s)") % {
            "channel": self.get_channel_display(),
            "id": str(self.pk)[:8],
            "date": day(self.started_at),
        }

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def waits_for_person(self) -> bool:
        """What ConversationQuerySet.waiting_for_person says of this row."""
        return self.is_open and self.person_requested_at is not None and self.held_by_id is None


OPEN_STATUSES = [status for status in Conversation.Status.values if status != Conversation.Status.CLOSED]


class SealedText(models.Model):
    """Text whose personal data is lifted out and encrypted beside it (tenants.privacy.sealing).

    The column keeps the text with placeholders ("⟦phone 1⟧"), searchable; code reads and writes `text`,
    the text as written.
    """

    sealed_text = models.TextField(blank=True, db_column="text")
    sealed_values = EncryptedTextField(blank=True, help_text="The personal data lifted out of the text, encrypted.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields} - {"text"} | {"sealed_text", "sealed_values"}
        super().save(*args, **kwargs)

    @property
    def text(self) -> str:
        return unseal(self.sealed_text, json.loads(self.sealed_values)) if self.sealed_values else self.sealed_text

    @text.setter
    def text(self, value: str) -> None:
        self.sealed_text, values = seal(value or "")
        self.sealed_values = json.dumps(values) if values else ""  # the field encrypts it

    @property
    def masked_text(self) -> str:
        """The text as a reader without the right to personal data sees it, decrypting nothing."""
        return placeholders(self.sealed_text)


class Message(SealedText):
    """The normalised message every channel translates to and from."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    class SenderType(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        HUMAN = "human", _("Person of the tenant")  # a reply written by staff who took the conversation over
        SYSTEM = "system", _("System")

    class ContentType(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")
        INTERACTIVE = "interactive", _("Interactive")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        BLOCKED = "blocked", _("Blocked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("conversation")
    )
    channel = models.CharField(
        max_length=10, choices=Channel.choices, verbose_name=_("channel")
    )  # copied from the conversation, for dedupe
    direction = models.CharField(max_length=10, choices=Direction.choices, verbose_name=_("direction"))
    sender_type = models.CharField(max_length=10, choices=SenderType.choices, verbose_name=_("sender type"))
    content_type = models.CharField(
        max_length=12, choices=ContentType.choices, default=ContentType.TEXT, verbose_name=_("content type")
    )
    media_url = models.URLField(max_length=1000, blank=True, verbose_name=_("media URL"))
    channel_message_id = models.CharField(  # noqa: DJ001  (NULL is "no provider id", which the unique constraint skips)
        max_length=255, null=True, blank=True, verbose_name=_("channel message ID")
    )
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies", verbose_name=_("in reply to")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    seq = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The seq of the event that announced it."), verbose_name=_("seq")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    content_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When its content was removed (retention or erasure); the row and counts stay."),
        verbose_name=_("content removed at"),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_message_id"],
                condition=models.Q(channel_message_id__isnull=False),
                name="message_unique_per_channel_id",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["tenant", "created_at"]),
            models.Index(fields=["tenant", "status"]),
            models.Index(  # the retention sweep: content still held, oldest first
                fields=["tenant", "created_at"],
                condition=models.Q(content_removed_at__isnull=True),
                name="message_content_held",
            ),
        ]

    def __str__(self):
        return _("%(sender)s message at %(time)s") % {
            "sender": self.get_sender_type_display(),
            "time": moment(self.created_at),
        }


class ConversationNote(SealedText):
    """An internal note of the tenant's staff on a conversation: stored sealed, never sent, never shown to the
    person the conversation is with (it is no message and no event of the conversation)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="notes", verbose_name=_("conversation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    content_removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("content removed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation note")
        verbose_name_plural = _("conversation notes")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["conversation", "created_at"]), models.Index(fields=["tenant", "created_at"])]

    def __str__(self):
        return _("Note at %(time)s") % {"time": moment(self.created_at)}


class ConversationEvent(models.Model):
    """A real-time event of a conversation, numbered, so a reconnecting client can get what it missed.

    Messages are the durable record; events are kept for CHAT_EVENT_RETENTION_DAYS.
    """

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="events", verbose_name=_("conversation")
    )
    seq = models.PositiveIntegerField(verbose_name=_("seq"))
    event_type = models.CharField(max_length=30, verbose_name=_("event type"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("conversation event")
        verbose_name_plural = _("conversation events")
        ordering = ["conversation", "seq"]
        constraints = [models.UniqueConstraint(fields=["conversation", "seq"], name="one_event_per_seq")]

    def __str__(self):
        return f"{str(self.conversation_id)[:8]} #{self.seq}: {self.event_type}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.seal_text()
        super().save(*args, **kwargs)

    def seal_text(self) -> None:
        """Before the first save: a message's text is stored sealed, like the message itself
        (tenants.privacy.sealing)."""
        if isinstance(self.payload.get("text"), str) and "sealed_values" not in self.payload:
            sealed, values = seal_for_storage(self.payload["text"])
            self.payload = {**self.payload, "text": sealed, "sealed_values": values}

    def frame(self) -> dict:
        """The event as sockets and the API send it, its text as written."""
        payload = dict(self.payload)
        if "sealed_values" in payload:
            payload["text"] = unseal_from_storage(payload["text"], payload.pop("sealed_values"))
        return {**payload, "type": self.event_type, "seq": self.seq, "conversation_id": str(self.conversation_id)}


class SatisfactionSurvey(models.Model):
    """The rating a conversation's person is asked for once it is resolved: one per conversation, asked on its
    channel, rated once within SATISFACTION_WINDOW_HOURS (conversations.satisfaction)."""

    LOWEST, HIGHEST = 1, 5

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="satisfaction", verbose_name=_("conversation")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    asked_at = models.DateTimeField(default=timezone.now, verbose_name=_("asked at"))
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(LOWEST), MaxValueValidator(HIGHEST)],
        help_text=_("From 1 (poor) to 5 (excellent); empty until the person rates."),
        verbose_name=_("score"),
    )
    rated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-asked_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="satisfaction_score_1_to_5",
            )
        ]

    def __str__(self):
        return f"rating of {str(self.conversation_id)[:8]}: {self.score or '-'}"


class Label(models.Model):
    """A tenant's own tag for conversations ("refund", "VIP"), coloured in the inbox and filterable there."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    name = models.CharField(max_length=40, verbose_name=_("name"))
    colour = models.CharField(
        max_length=7,
        default="#4f46e5",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour as #rrggbb, for example #16a34a."))],
        verbose_name=_("colour"),
    )
    conversations = models.ManyToManyField(
        Conversation, blank=True, related_name="labels", verbose_name=_("conversations")
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="label_name_unique_per_tenant")]

    def __str__(self):
        return self.name

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on the label's colour (WCAG's relative luminance)."""
        channels = [int(self.colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return "#000000" if luminance > 0.179 else "#ffffff"


class CannedResponse(models.Model):
    """A reply the tenant's people insert by typing `/shortcut` in the reply box; {first_name} and the other
    variables (conversations.canned_text.VARIABLES) are filled in for the conversation it is inserted into."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    shortcut = models.SlugField(
        max_length=30, help_text=_("Typed after a slash in the reply box, e.g. refund for /refund."),
        verbose_name=_("shortcut"),
    )  # fmt: skip
    body = models.TextField(max_length=4000, verbose_name=_("text"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "shortcut"], name="canned_response_shortcut_unique_per_tenant")
        ]

    def __str__(self):
        return f"/{self.shortcut}"

    def clean(self):
        if unknown := unknown_variables(self.body):
            raise ValidationError(
                {"body": _("Unknown variables: %(names)s.") % {"names": ", ".join(f"{{{name}}}" for name in unknown)}}
            )


class ConversationRead(models.Model):
    """Up to when a person of the tenant read a conversation in the console: the inbox counts the customer's
    messages after its holder's marker as unread."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="reads", verbose_name=_("conversation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    last_read_at = models.DateTimeField(default=timezone.now, verbose_name=_("last read at"))

    class Meta:
        verbose_name = _("conversation read")
        verbose_name_plural = _("conversation reads")
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_read_marker_per_person")]

    def __str__(self):
        return _("%(id)s read at %(time)s") % {"id": str(self.conversation_id)[:8], "time": moment(self.last_read_at)}
