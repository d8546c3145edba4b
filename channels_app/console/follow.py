"""Approval events and conversation activity for the consoles open in this process, read from the store.

Every approval event is a row of its approval's history (hitl.history), and every message in or answer out a
stored event of its conversation (activity.py), written by whichever process made it: daphne, a Celery worker,
beat. One reader per process (per event loop) looks for new rows every CONSOLE_POLL_SECONDS and hands each to the
consoles listening here for it. So the feed is the same whatever the channel layer reaches (the embedded default's
in-memory layer does not reach the workers, where requests are filed, actions run and the agents answer), and a
pub/sub layer's lost message loses no event.

A row's time is when it was written, not when its transaction committed, so a row may turn up after
later ones: the reader looks back LOOKBACK each time and remembers which rows it has handed out.

A console that opens is owed what was written while its page went without the feed (since the page was loaded,
or since its socket dropped; at most LOOKBACK): its first round reads the whole window, rows handed out to other
consoles included, so an event filed between a page's render and its socket's opening is not lost.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from channels_app.console.activity import new_activity
from hitl.models import HITLApprovalHistory
from hitl.summaries import summaries

log = logging.getLogger(__name__)
LOOKBACK = timedelta(seconds=60)  # longer than any transaction that writes approval history or conversation events
IN_FLIGHT = timedelta(seconds=0.5)  # a row written just before a page's request may commit after its render


Deliver = Callable[[list[dict]], Awaitable[None]]  # a round's new events for one console, oldest first


@dataclass(eq=False)
class Listener:
    """One open console: the events of its tenant (None: every tenant) written since it opened, of the feeds it
    follows (None: not that one)."""

    tenant_id: str | None
    approvals: Deliver | None = None  # approval events (who sees the tenant's approvals)
    activity: Deliver | None = None  # conversation activity (who watches the tenant's conversations)
    since: datetime = field(default_factory=timezone.now)  # what was written before is on its page already
    owed: set[str] = field(default_factory=lambda: set(FEEDS))  # feeds whose rows since `since` it has not had yet
    joined: datetime = field(default_factory=timezone.now)  # what was written before and sent is marked `missed`


def since(behind: timedelta | None) -> datetime:
    """Where a console that went `behind` without the feed starts: that long ago and rows in flight then, within
    the reader's window; now when it did not say."""
    if behind is None:
        return timezone.now()
    return timezone.now() - min(behind + IN_FLIGHT, LOOKBACK)


def event_message(entry: HITLApprovalHistory) -> dict:
    """What a console is told of one history entry (its approval read with it)."""
    approval = entry.approval
    return {
        "event": f"approval.{entry.event_type}",
        "event_type": entry.event_type,  # each console names it in its reader's language (consumer.approval_events)
        "approval_id": str(approval.pk),
        "reference": approval.reference,
        "status": entry.new_status or approval.status,
        "risk_level": approval.risk_level,
        "summaries": summaries(approval),  # each console shows its reader's (consumer.approval_events)
        "tenant_id": str(entry.tenant_id),
        "at": entry.timestamp,
    }


def new_entries(tenant_ids: set[str] | None, seen: dict, lookback: timedelta) -> list[dict]:
    """History written in the last `lookback` that `seen` does not hold (for `tenant_ids`; None: all), oldest
    first."""
    entries = HITLApprovalHistory.objects.filter(timestamp__gte=timezone.now() - lookback).exclude(pk__in=list(seen))
    if tenant_ids is not None:
        entries = entries.filter(tenant_id__in=tenant_ids)
    found = []
    for entry in entries.select_related("approval").order_by("timestamp"):
        seen[entry.pk] = entry.timestamp
        found.append({**event_message(entry), "row": entry.pk})
    return found


FEEDS = {"approvals": new_entries, "activity": new_activity}  # the Listener's field -> what reads its rows


class Reader:
    """This process's reader: runs while a console listens, and stops with the last one."""

    def __init__(self):
        self.listeners: set[Listener] = set()
        self.seen: dict[str, dict] = {feed: {} for feed in FEEDS}  # per feed: row id -> its time, within LOOKBACK
        self.task: asyncio.Task | None = None

    def add(self, listener: Listener) -> None:
        self.listeners.add(listener)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    def discard(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self.task is not None:
            self.task.cancel()
            self.task = None
            for seen in self.seen.values():
                seen.clear()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.CONSOLE_POLL_SECONDS)
            for feed in FEEDS:
                try:
                    await self.read_once(feed)
                except Exception:  # a database hiccup: the next round looks again (LOOKBACK)
                    log.exception("Reading the %s for the consoles failed", feed)

    async def read_once(self, feed: str) -> None:
        listeners = [listener for listener in self.listeners if getattr(listener, feed)]
        if not listeners:
            return
        tenants = {listener.tenant_id for listener in listeners}
        wanted = None if None in tenants else tenants
        horizon = timezone.now() - LOOKBACK
        self.seen[feed] = seen = {pk: at for pk, at in self.seen[feed].items() if at >= horizon}
        handed_out = set(seen)
        joining = any(feed in listener.owed for listener in listeners)
        read = {} if joining else seen  # a console that just opened is owed rows handed out before it came
        messages = await database_sync_to_async(FEEDS[feed])(wanted, read, LOOKBACK)
        seen.update(read)
        for listener in listeners:
            owed = feed in listener.owed
            listener.owed.discard(feed)
            mine = [
                message
                for message in messages
                if message["at"] >= listener.since
                and listener.tenant_id in (None, message["tenant_id"])
                and (owed or message["row"] not in handed_out)
            ]
            if owed:  # caught up: the page refreshes what it shows, without telling each as news
                mine = [{**message, "missed": True} if message["at"] < listener.joined else message for message in mine]
            try:
                if mine:
                    await getattr(listener, feed)(mine)
            except Exception:  # one closed socket does not keep the events from the others
                log.warning("A console was not sent %s of its %s", len(mine), feed, exc_info=True)


_readers: dict[asyncio.AbstractEventLoop, Reader] = {}


def reader() -> Reader:
    """The reader of the running event loop (daphne has one; each async test has its own)."""
    loop = asyncio.get_running_loop()
    if loop not in _readers:
        for old in [other for other in _readers if other.is_closed()]:
            del _readers[old]
        _readers[loop] = Reader()
    return _readers[loop]
