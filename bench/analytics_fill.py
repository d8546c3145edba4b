"""The analytics benchmarks' rows: one fill for bench/analytics_bench.py and bench/report_cache_bench.py.

For the demo tenant over the `days` days before `end` (in Sizes, of the full size):

* 100,000 conversations, 4 of 5 closed, each with two exchanges (400,000 messages: a customer
  message and the agent's reply 1 to 10 s later; one conversation in five is answered by a second agent);
* 60,000 approvals (requested at random times; approved, rejected, expired, cancelled or pending;
  decided by people 1 to 600 minutes later; 4-hour SLA) with one decision each when approved or rejected;
* 1,000,000 platform events: 5 per conversation (opened, 2 received, 2 responded), 2 per
  approval (requested, outcome) and the rest notifications.

The rows are written through the ORM (bulk_create in batches, one transaction), the product's one
write path, so a column added to a model reaches the benchmarks with its default. The rows are
back-dated, so the models' auto_now and auto_now_add stamps are switched off while they are written;
the ids are the models' uuid4 defaults, made in Python, so rows refer to each other before they are inserted.
Importable before Django is set up (ensure_database runs before it); fill needs it set up.
"""

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

import psycopg

DAYS = 90
BATCH = 5_000
CHANNELS = ("whatsapp", "email", "chat", "api")
ACTIONS = ("set_budget", "pause_campaign", "publish_content", "create_audience")
RISKS = ("low", "medium", "high", "critical")
OUTCOMES = ("approved", "approved", "approved", "rejected", "expired", "cancelled", "pending")
DECIDED = {"approved", "rejected", "expired", "cancelled"}
OUTCOME_EVENT = {
    "approved": "approval_approved",
    "rejected": "approval_rejected",
    "expired": "approval_expired",
    "cancelled": "approval_cancelled",
    "pending": "sla_breached",
}
CONVERSATION_EVENTS = ("conversation_opened", "message_received", "agent_responded", "message_received",
                       "agent_responded")  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    conversations: int
    approvals: int
    events: int

    @classmethod
    def of(cls, fraction: float) -> "Sizes":
        """`fraction` of the full size (1,000,000 events), in the same proportions."""
        if not 0 < fraction <= 1:
            raise ValueError(f"the fraction of the full size must be in (0, 1], not {fraction}")
        return cls(round(FULL.conversations * fraction), round(FULL.approvals * fraction),
                   round(FULL.events * fraction))  # fmt: skip

    @property
    def notifications(self) -> int:
        return self.events - 5 * self.conversations - 2 * self.approvals


FULL = Sizes(conversations=100_000, approvals=60_000, events=1_000_000)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


@contextmanager
def back_dated(*models):
    """Let bulk_create keep the given times: auto_now and auto_now_add would stamp every row with now."""
    stamped = [f for model in models for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)
               or getattr(f, "auto_now", False)]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def write(model, rows) -> None:
    """bulk_create `rows` (an iterable of instances) BATCH at a time, printing the count and time."""
    started, count, rows = time.monotonic(), 0, iter(rows)
    while batch := list(islice(rows, BATCH)):
        model.objects.bulk_create(batch)
        count += len(batch)
    print(f"  {count:>9,} rows  {time.monotonic() - started:6.1f} s  {model._meta.label}", flush=True)


def fill(tenant, end, sizes: Sizes, days: int = DAYS, seed: int = 1) -> None:
    """The rows above for `tenant`, unless its platform events already number `sizes.events`."""
    from django.db import connection, transaction

    from analytics.models import PlatformEvent
    from conversations.models import Conversation, Message
    from hitl.models import HITLApproval, HITLDecision
    from tenants.models import User

    if PlatformEvent.objects.filter(tenant=tenant).count() >= sizes.events:
        print("data present: timing only", flush=True)
        return
    if sizes.notifications < 0:
        raise ValueError(f"{sizes.events:,} events cannot hold 5 per conversation and 2 per approval")
    member = User.objects.filter(tenant=tenant, role="member").order_by("email").first()
    approvers = list(User.objects.filter(tenant=tenant, role__in=["approver", "admin"]).order_by("email"))
    rng = random.Random(seed)

    def moment():
        return end - timedelta(days=days) * rng.random()

    conversations = []
    for n in range(1, sizes.conversations + 1):
        t = moment()
        closed, last = n % 5 != 0, t + timedelta(minutes=12)
        conversations.append(Conversation(
            tenant=tenant, user=member, channel=CHANNELS[n % 4], status="closed" if closed else "open",
            started_at=t, last_message_at=last, ended_at=last if closed else None,
        ))  # fmt: skip

    def messages():
        for n, c in enumerate(conversations):
            for x in (1, 2):
                asked = Message(tenant=tenant, conversation=c, channel=c.channel, direction="inbound",
                                sender_type="customer", text="How is the Summer Sale doing?", status="delivered",
                                created_at=c.started_at + timedelta(minutes=5 * (x - 1)))  # fmt: skip
                agent = "seo" if x == 2 and n % 5 == 0 else "paid_ads"
                yield asked
                yield Message(tenant=tenant, conversation=c, channel=c.channel, direction="outbound",
                              sender_type="agent", text="Here is what I found.", status="sent",
                              metadata={"agent_type": agent}, in_reply_to=asked,
                              created_at=asked.created_at + timedelta(seconds=1 + 9 * rng.random()))  # fmt: skip

    approvals = []
    for n in range(1, sizes.approvals + 1):
        requested, took, status = moment(), timedelta(minutes=1 + rng.randrange(600)), OUTCOMES[n % 7]
        decided = requested + took if status in DECIDED else None
        approvals.append(HITLApproval(
            tenant=tenant, reference=f"BR-{n:07d}", agent_type="paid_ads", action_type=ACTIONS[n % 4],
            action_summary="Benchmark action", language="en", estimated_cost=n % 5000, estimated_reach=1000,
            confidence=0.8, risk_level=RISKS[n % 4], risk_score=50, status=status, requested_at=requested,
            sla_deadline=requested + timedelta(hours=4), sla_breached=took > timedelta(hours=4),
            created_at=requested, updated_at=decided or requested, resolved_at=decided,
            approved_at=decided if status == "approved" else None,
            rejected_at=decided if status == "rejected" else None,
        ))  # fmt: skip

    def decisions():
        for n, a in enumerate(approvals):
            if a.status in ("approved", "rejected"):
                yield HITLDecision(tenant=tenant, approval=a, level=1, approver=approvers[n % len(approvers)],
                                   decision="approve" if a.status == "approved" else "reject", via="admin",
                                   decided_at=a.resolved_at)  # fmt: skip

    def events():
        for c in conversations:
            for x, kind in enumerate(CONVERSATION_EVENTS):
                yield PlatformEvent(tenant=tenant, event_type=kind, conversation_id=c.pk,
                                    created_at=c.started_at + timedelta(minutes=2 * x))  # fmt: skip
        for a in approvals:
            metadata = {"action_type": a.action_type}
            yield PlatformEvent(tenant=tenant, event_type="approval_requested", subject_id=a.pk, metadata=metadata,
                                created_at=a.requested_at)  # fmt: skip
            yield PlatformEvent(tenant=tenant, event_type=OUTCOME_EVENT[a.status], subject_id=a.pk,
                                metadata=metadata, created_at=a.resolved_at or a.requested_at)  # fmt: skip
        for _ in range(sizes.notifications):
            yield PlatformEvent(tenant=tenant, event_type="notification_sent", metadata={"channel": "in_app"},
                                created_at=moment())  # fmt: skip

    started = time.monotonic()
    with transaction.atomic(), back_dated(Conversation, Message, HITLApproval, HITLDecision, PlatformEvent):
        write(Conversation, conversations)
        write(Message, messages())
        write(HITLApproval, approvals)
        write(HITLDecision, decisions())
        write(PlatformEvent, events())
    with connection.cursor() as cursor:  # this machine's PostgreSQL runs with autovacuum off
        for model in (Conversation, Message, HITLApproval, HITLDecision, PlatformEvent):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    print(f"filled in {time.monotonic() - started:.0f} s", flush=True)
