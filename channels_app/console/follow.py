"""Approval events for the consoles open in this process, read from the approval history.

Every approval event is a row of its approval's history (hitl.history), written by whichever process
made it: daphne, a Celery worker, beat. One reader per process (per event loop) looks for new rows
every CONSOLE_POLL_SECONDS and hands each to the consoles listening here. So the feed is the same
whatever the channel layer reaches (the embedded default's in-memory layer does not reach the workers,
where requests are filed and actions run), and a pub/sub layer's lost message loses no event.

A row's time is when it was written, not when its transaction committed, so a row may turn up after
later ones: the reader looks back LOOKBACK each time and remembers which rows it has handed out.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from hitl.models import HITLApprovalHistory
from hitl.summaries import summaries

log = logging.getLogger(__name__)
LOOKBACK = timedelta(seconds=60)  # longer than any transaction that writes approval history


@dataclass(eq=False)
class Listener:
    """One open console: the events of its tenant (None: every tenant) written since it opened."""

    tenant_id: str | None
    deliver: Callable[[list[dict]], Awaitable[None]]  # the round's new events for it, oldest first
    since: datetime = field(default_factory=timezone.now)  # what was written before is on its page already


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


def new_entries(tenant_ids: set[str] | None, seen: dict) -> list[dict]:
    """History written in the last LOOKBACK that `seen` does not hold (for `tenant_ids`; None: all), oldest first."""
    entries = HITLApprovalHistory.objects.filter(timestamp__gte=timezone.now() - LOOKBACK).exclude(pk__in=list(seen))
    if tenant_ids is not None:
        entries = entries.filter(tenant_id__in=tenant_ids)
    found = []
    for entry in entries.select_related("approval").order_by("timestamp"):
        seen[entry.pk] = entry.timestamp
        found.append(event_message(entry))
    return found


class Reader:
    """This process's reader: runs while a console listens, and stops with the last one."""

    def __init__(self):
        self.listeners: set[Listener] = set()
        self.seen: dict = {}  # history entry id -> its time, for the rows still within LOOKBACK
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
            self.seen.clear()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.CONSOLE_POLL_SECONDS)
            try:
                await self.read_once()
            except Exception:  # a database hiccup: the next round looks again (LOOKBACK)
                log.exception("Reading the approval history for the consoles failed")

    async def read_once(self) -> None:
        tenants = {listener.tenant_id for listener in self.listeners}
        wanted = None if None in tenants else tenants
        self._forget_older_than(timezone.now() - LOOKBACK)
        messages = await database_sync_to_async(new_entries)(wanted, self.seen)
        for listener in list(self.listeners) if messages else ():
            mine = [
                message
                for message in messages
                if message["at"] >= listener.since and listener.tenant_id in (None, message["tenant_id"])
            ]
            try:
                if mine:
                    await listener.deliver(mine)
            except Exception:  # one closed socket does not keep the events from the others
                log.warning("A console was not sent %s approval events", len(mine), exc_info=True)

    def _forget_older_than(self, moment: datetime) -> None:
        self.seen = {pk: at for pk, at in self.seen.items() if at >= moment}


_readers: dict[asyncio.AbstractEventLoop, Reader] = {}


def reader() -> Reader:
    """The reader of the running event loop (daphne has one; each async test has its own)."""
    loop = asyncio.get_running_loop()
    if loop not in _readers:
        for old in [other for other in _readers if other.is_closed()]:
            del _readers[old]
        _readers[loop] = Reader()
    return _readers[loop]
