"""The admin console's live feed (/ws/console/): approval events and human-takeover notices for signed-in staff.

Approval events are read from the approval history by this process's reader (follow.py), whichever
process wrote them; each frame carries the listener's own count of approvals waiting for their decision
(the sidebar's badge). So is conversation activity (a message in, an answer out: the inbox moves), read
from the conversations' stored events (activity.py). Takeover steps and channel notices come over the
channel layer, to the group `console.<tenant_id>`; a superuser, who sees every tenant, listens to
`console.all` instead. Each socket joins one group, so each event reaches it once; in-app notifications
are not sent here (they tell of events this feed already carries). The feed is one-way: the browser only
listens.

Who may listen: the roles that see the tenant's approvals (`hitl.access.may_review`), who get approval
events, summaries masked unless the listener holds the tenant's `view_pii`; and the roles that watch the
tenant's conversations (`conversations.access.may_monitor`), who get takeover notices (conversations.console)
and activity.
"""

import math
from datetime import timedelta
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from channels_app.console import follow
from channels_app.consumers import CountedSocket, EndsWithSignIn, NoConnectionSweepPerFrame
from conversations import console
from conversations.access import may_monitor
from hitl.access import may_manage, may_review
from hitl.console import console_group
from hitl.inbox import waiting_for
from hitl.models import ApprovalStatus, HITLApprovalHistory
from hitl.summaries import known_language
from tenants.languages import language_of, speaking
from tenants.pii import mask
from tenants.privacy.audit import may_see_pii

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
ALL_TENANTS = console_group("all")
FORWARDED = ("event", "approval_id", "reference", "status", "risk_level")


class ConsoleConsumer(CountedSocket, EndsWithSignIn, NoConnectionSweepPerFrame, AsyncJsonWebsocketConsumer):
    socket_kind = "console"

    async def connect(self):
        user = self.scope.get("user")
        signed_in = user is not None and user.is_authenticated and user.is_active
        rights = await database_sync_to_async(_rights)(user) if signed_in else (False, False, False, False)
        self.reviews, self.reveal, self.monitors, self.acts_on_notices = rights
        allowed = self.reviews or self.monitors
        refusal = await self.watch_sign_in(user, by_session=True) if allowed else None
        allowed = allowed and refusal is None
        if allowed:  # joined before the socket opens, so no event filed after the handshake is missed
            self.user = user
            group = ALL_TENANTS if user.is_superuser else console_group(user.tenant_id)
            self.groups.append(group)  # channels discards self.groups on disconnect
            await self.channel_layer.group_add(group, self.channel_name)
        if self.reviews:
            self.language = known_language(language_of(user))  # the summaries it is shown
        if allowed:
            self.listener = follow.Listener(
                None if user.is_superuser else str(user.tenant_id),
                approvals=self.approval_events if self.reviews else None,
                activity=self.conversation_activity if self.monitors else None,
                since=follow.since(_behind(self.scope)),
            )
            follow.reader().add(self.listener)
        await self.accept()  # then refuse: a close code is only delivered on an open socket
        if not signed_in:
            await self.close(code=UNAUTHENTICATED)
        elif refusal is not None:
            await self.close(code=refusal)
        elif not allowed:
            await self.close(code=FORBIDDEN)

    async def disconnect(self, code):
        await self.stop_watching_sign_in()
        if listener := getattr(self, "listener", None):
            follow.reader().discard(listener)

    async def receive(self, text_data=None, bytes_data=None):
        """Ignored, whatever it is: nothing the browser sends changes the feed."""

    async def approval_events(self, messages):
        """New approval events (follow.py), each named in this listener's language (`label`, and the approval's
        `status_label`) and with what now waits for their decision (None: they decide none)."""
        waiting = await database_sync_to_async(waiting_for)(self.user)
        for message in messages:
            frame = {"type": "approval", **{key: message.get(key) for key in FORWARDED}, "waiting": waiting}
            frame["summary"] = _in_language(message.get("summaries") or {}, self.language)
            if message.get("missed"):
                frame["missed"] = True  # filed before the socket opened: the page updates, no toast
            with speaking(self.user):
                frame["label"] = str(HITLApprovalHistory.Event(message["event_type"]).label)
                frame["status_label"] = str(ApprovalStatus(message["status"]).label)
            if not self.reveal:
                frame["summary"] = mask(frame["summary"])
            await self.send_json(frame)

    async def conversation_activity(self, messages):
        """Messages in and answers out on conversations nobody holds (follow.py): silent `activity` frames."""
        for message in messages:
            await self.console_conversation(message)

    async def console_notice(self, message):
        """What a channel could not do: for the tenant's admins, who can fix it."""
        if self.acts_on_notices:
            await self.send_json({"type": "notice", **{key: message.get(key) for key in ("kind", "text", "link")}})

    async def console_conversation(self, message):
        """A step of human takeover, or the customer writing on a held conversation (conversations.console): who
        did what on which conversation, in the listener's language; never a message's or a note's text.
        `mine`: the listener holds the conversation (the customer's new message is theirs to answer); `own`: the
        listener took the step (their pages refresh, and are not told their own news)."""
        if not self.monitors:
            return
        mine = message.get("holder_id") is not None and message.get("holder_id") == str(self.user.pk)
        own = message.get("actor_id") is not None and message.get("actor_id") == str(self.user.pk)
        frame = {key: message.get(key) for key in ("step", "conversation_id", "link")}
        with speaking(self.user):
            names = {name: message.get(name) for name in console.NAMES}
            frame["text"] = console.describe(message.get("step"), mine=mine, **names)
        await self.send_json({"type": "conversation", **frame, "mine": mine, "own": own})


def _behind(scope) -> timedelta | None:
    """How long the page went without the feed, as its script measured it on its own clock (`behind_ms`: since
    it was loaded, or since its socket dropped); None when it said nothing usable."""
    value = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("behind_ms", [""])[-1]
    try:
        milliseconds = float(value)
    except ValueError:
        return None
    return timedelta(milliseconds=milliseconds) if math.isfinite(milliseconds) and milliseconds >= 0 else None


def _in_language(summaries: dict, language: str) -> str:
    return summaries.get(language) or next(iter(summaries.values()), "")


def _rights(user) -> tuple[bool, bool, bool, bool]:
    """Whether `user` follows the approval events, sees personal data in them unmasked, follows takeovers, and
    acts on channel notices (the tenant's managers)."""
    reviews = may_review(user)
    reveal = reviews and (user.is_superuser or may_see_pii(user, user.tenant))
    return reviews, reveal, may_monitor(user), may_manage(user)
