"""The rows of bench/big_tenant_bench.py: one big tenant (the demo tenant) and small tenants beside it.

At scale 1.0, for the demo tenant over the year before the fill: 500 people (members), 1,000,000 conversations of
ten messages each (10,000,000 messages, a customer's question and an agent's answer five times over), 1,000,000
approvals with their history (requested, then the outcome) and decisions, a year of daily figures for 20 campaigns;
and 50 small tenants with 10 people, 200 conversations and 100 approvals each. A scale multiplies the counts of
conversations and approvals (people: 500 × scale, at least 10; small tenants keep their number).

Everything goes through the ORM (bulk_create in batches of instances made by `Rows`), copying what the product
writes: each message's text is sealed by the model's own `text` setter (once per distinct text: the sealed columns
are copied), the approvals copy one the product filed through the pipeline (bench/admin_bench.py's template), seq
numbers run 1..10 with the answering queue caught up, and the back-dated stamps use bench/analytics_fill.py's
`back_dated`. The nth row of a kind happened in the nth slot of the year (`in_turn`), so the tables hold them in the
order they happened. The written tables' foreign keys are checked once at the end (`foreign_keys_checked_after`).

Then VACUUM (ANALYZE), as autovacuum would have by then, the foreign keys added back and checked, the conversation
report's metrics of the last 31 days' conversations (the product's job code; a year of them would take longer than
the whole fill), and ANALYZE again.

Resumable: conversations and approvals are written a chunk per transaction with ids derived from their number
(uuid5), so a chunk whose first row exists is complete and a second run adds only the missing chunks. The big
tenant's chunks, the small tenants and the metrics are shared among `jobs` forked processes (in_processes), each
with its own connection.
Importable before Django is set up; `fill` needs it set up.
"""

import contextlib
import copy
import multiprocessing
import random
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta

from bench.analytics_fill import back_dated

NAMESPACE = uuid.UUID("6f1c2d0e-8a51-4b7e-9f3a-1b2c3d4e5f60")
CONVERSATION_CHUNK = 2_000  # conversations (and their 20,000 messages) a transaction
APPROVAL_CHUNK = 5_000
BATCH = 5_000  # rows a bulk INSERT
METRICS_BATCH = 2_000  # conversations a recompute
YEAR_DAYS = 366  # a day more than the default retention: the retention job has a day's messages to empty
EXCHANGES = 5  # question and answer pairs a conversation
LABELS = ["Order", "Refund", "VIP", "Shipping", "Complaint", "Billing", "Lead", "Partner", "Press", "Spam"]
LABELLED_ONE_IN = 20  # a conversation in twenty carries a label (the ten labels in turn)
FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emerson", "Finley", "Harper", "Jordan", "Kendall", "Logan",
               "Morgan", "Noel", "Parker", "Quinn", "Reese", "Rowan", "Sawyer", "Skyler", "Taylor", "Wren"]  # fmt: skip
LAST_NAMES = ["Abbott", "Baptiste", "Castillo", "Dimitrov", "Eriksen", "Fontaine", "Gallagher", "Haddad", "Ito",
              "Jablonski", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okonkwo", "Petrov", "Quintero",
              "Rasmussen", "Sandoval", "Takahashi", "Ueda", "Varga", "Whitfield", "Yilmaz", "Zielinski"]  # fmt: skip
QUESTIONS = [
    "How is the Summer Sale campaign doing this week?",
    "Can you raise the budget of the brand campaign a little?",
    "Please call me back on +1 415 555 0199 about the invoice.",
    "What did we spend on Google Ads yesterday?",
    "Send the report to jamie.fox@example.com please.",
]
ANSWERS = ["Here is what I found.", "Spend is on track: 4% under the daily budget.", "I asked an approver for that."]
CHANNELS = ("whatsapp", "email", "chat", "api")
AGENTS = ("paid_ads", "seo", "content", "audience")
OUTCOMES = ["executed"] * 6 + ["rejected", "expired", "cancelled", "approved"]  # 1 in 100 stays pending
CAMPAIGNS = 20
SMALL_TENANTS = 50
SMALL = {"people": 10, "conversations": 200, "approvals": 100}


@dataclass(frozen=True)
class Sizes:
    people: int
    conversations: int
    approvals: int
    small_conversations: int
    small_approvals: int

    @classmethod
    def of(cls, scale: float) -> "Sizes":
        if scale <= 0:
            raise ValueError(f"the scale must be above 0, not {scale}")
        return cls(max(10, round(500 * scale)), round(1_000_000 * scale), round(1_000_000 * scale),
                   max(10, round(SMALL["conversations"] * scale)),
                   max(5, round(SMALL["approvals"] * scale)))  # fmt: skip


def row_id(kind: str, tenant, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{tenant.slug}:{n}")


def in_turn(n: int, total: int, end, rng):
    """When the nth of `total` rows spread over the year before `end` happened: the nth slot of the year, at a
    random moment in it. Rows are written in the order they happened, as a tenant's are, so a range of days is a
    range of the table: with random days, a month's rows lay all over it, and a read of a range of days went to a
    page a row or scanned the whole table (bench/RESULTS.md, "A big tenant at full size")."""
    return end - timedelta(days=YEAR_DAYS) * (1 - (n + rng.random()) / total)


class Rows:
    """Instances of `model` made from its concrete fields' values in order, `Model(*values)` as `Model.from_db`
    does: Django's keyword __init__ looks up each field's default and relation again for every instance (a message
    22 µs, an approval 56) where this copies a list (a message 9 µs). The values no row gives are the fixed ones and
    the fields' defaults, taken once, except a callable default (the id's uuid4, an empty dict), called for each row.
    Related rows are given by id (`conversation_id`, not `conversation`)."""

    def __init__(self, model, **fixed):
        names = [field.attname for field in model._meta.concrete_fields]
        unknown = set(fixed) - set(names)
        if unknown:
            raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
        self.model, self.index = model, {name: i for i, name in enumerate(names)}
        self.base = [fixed[f.attname] if f.attname in fixed else f.get_default() for f in model._meta.concrete_fields]
        self.fresh = [(f.attname, i, f.get_default) for i, f in enumerate(model._meta.concrete_fields)
                      if f.attname not in fixed and callable(f.default)]  # fmt: skip

    def __call__(self, **values):
        row = self.base.copy()
        for name, i, default in self.fresh:
            if name not in values:
                row[i] = default()
        for name, value in values.items():
            row[self.index[name]] = value
        return self.model(*row)


def _bulk(model, rows) -> int:
    model.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


class Progress:
    """Rows written (or other units of work) so far, with their rate, printed at most every few seconds."""

    def __init__(self, what: str, chunks: int, unit: str = "rows"):
        self.what, self.chunks, self.unit, self.done, self.rows = what, chunks, unit, 0, 0
        self.started = self.printed = time.monotonic()

    def add(self, rows: int, *, last: bool = False) -> None:
        self.done, self.rows = self.done + 1, self.rows + rows
        now = time.monotonic()
        if last or now - self.printed >= 10:
            took = now - self.started
            print(f"  {self.what}: chunk {self.done:,}/{self.chunks:,}, {self.rows:,} {self.unit} in {took:.0f} s "
                  f"({self.rows / max(took, 1e-9):,.0f} {self.unit}/s)", flush=True)  # fmt: skip
            self.printed = now


_chunk = None  # the chunk writer the forked processes inherit (a closure cannot be pickled to them)


def _write_chunk(start: int) -> int:
    return _chunk(start)


def in_processes(chunk, starts: list[int], jobs: int, progress: Progress) -> None:
    """chunk(start) for each start, in `jobs` forked processes with a database connection each (one job: here).

    The writing is Python's (building the instances, dumping their values), so a process a core fills about as
    many rows again. A chunk is its own transaction with ids of its own, so the processes never write the same rows,
    and a run stopped part-way leaves whole chunks that the next run skips."""
    global _chunk
    if jobs <= 1 or len(starts) <= 1:
        for start in starts:
            progress.add(chunk(start), last=start == starts[-1])
        return
    from django.db import connections

    connections.close_all()  # a connection is not to be shared across a fork: each process opens its own
    _chunk = chunk
    try:
        with ProcessPoolExecutor(min(jobs, len(starts)), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_write_chunk, start) for start in starts]
            try:
                for done, future in enumerate(as_completed(futures), 1):
                    progress.add(future.result(), last=done == len(futures))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    finally:
        _chunk = None


@contextlib.contextmanager
def binary_arrays():
    """bulk_create's columns sent to PostgreSQL as binary arrays, on the connection open now and those opened
    meanwhile (the forked writers' too).

    Django 5.2 inserts a batch as one array a column (INSERT ... SELECT * FROM UNNEST(%s::type[], ...)), and psycopg
    dumps a list as text by default: in Python, each element searched for characters to quote and escaped, 36 % of
    the writers' Python (py-spy on the fill at scale 0.02). Its binary list dumper calls each element's C dumper: a
    column of 5,000 texts, stamps or uuids in 1 ms instead of 8-19. The rows are the same. After, this process's
    connections dump lists as text again (the forked writers' end with their processes)."""
    from django.db import connection
    from django.db.backends.signals import connection_created
    from psycopg.types.array import ListBinaryDumper, ListDumper

    changed = []

    def register(sender=None, connection=connection, **kwargs):
        if connection.vendor == "postgresql":
            connection.connection.adapters.register_dumper(list, ListBinaryDumper)
            changed.append(connection.connection)

    connection_created.connect(register)
    if connection.connection is not None:
        register()
    try:
        yield
    finally:
        connection_created.disconnect(register)
        for opened in changed:  # psycopg's own choice: text for a list whose format is left to it
            opened.adapters.register_dumper(list, ListDumper)


def without_constraint(field):
    """The foreign key `field` as it would be with db_constraint=False (its related model resolved, as a clone's is
    not): what the schema editor's alter_field drops the constraint to, and adds it back from."""
    unconstrained = copy.copy(field)
    unconstrained.db_constraint = False
    return unconstrained


@contextlib.contextmanager
def foreign_keys_checked_after(*models):
    """The models' foreign key constraints dropped while their rows are written, and added again after: adding one
    checks every row at once (PostgreSQL's advice for a bulk load, "Remove Foreign Key Constraints"). Kept, each
    row written queued a check for each of its foreign keys (an approval has 13), run one by one at commit.

    Through Django's schema editor: `alter_field` to the same field without its constraint, and back. A fill killed
    part-way leaves them dropped; the next one adds them back when it ends."""
    from django.db import connection

    fields = [f for model in models for f in model._meta.concrete_fields if f.remote_field and f.db_constraint]

    def constrained(field) -> bool:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, field.model._meta.db_table)
        return any(c["foreign_key"] and c["columns"] == [field.column] for c in constraints.values())

    with connection.schema_editor() as editor:
        for field in fields:
            editor.alter_field(field.model, field, without_constraint(field))  # nothing to drop after a killed fill
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.schema_editor() as editor:
            for field in fields:
                if not constrained(field):
                    editor.alter_field(field.model, without_constraint(field), field)
        print(f"  {len(fields)} foreign keys added and checked: {time.monotonic() - started:.0f} s", flush=True)


def sealed(texts):
    """Each text as the model stores it: its own setter seals it (personal data lifted out, encrypted)."""
    from conversations.models import Message

    out = []
    for text in texts:
        proto = Message()
        proto.text = text
        out.append((proto.sealed_text, proto.sealed_values))
    return out


def ensure_people(tenant, count: int, prefix: str) -> list:
    """`count` members of `tenant` (created one by one: the role groups follow each through its signal)."""
    from tenants.models import User

    emails = [f"{prefix}{n:04d}@{tenant.slug}.test" for n in range(count)]
    have = {u.email: u for u in User.objects.filter(tenant=tenant, email__in=emails)}
    people = []
    for n, email in enumerate(emails):
        person = have.get(email) or User.objects.create_user(
            email, None, tenant=tenant, role="member", first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)],
        )  # fmt: skip
        people.append(person)
    return people


def ensure_labels(tenant) -> list:
    from conversations.models import Label

    return [Label.objects.get_or_create(tenant=tenant, name=name)[0] for name in LABELS]


def missing_chunks(model, kind: str, tenant, total: int, chunk: int) -> list[int]:
    firsts = {row_id(kind, tenant, start): start for start in range(0, total, chunk)}
    present = set(model.objects.filter(pk__in=list(firsts)).values_list("pk", flat=True))
    return [start for pk, start in firsts.items() if pk not in present]


def fill_conversations(tenant, people, labels, total: int, *, end, staff, agent, jobs: int = 1) -> None:
    """`total` conversations of `people` over the year before `end`, ten messages each, a chunk per transaction."""
    from django.db import transaction

    from conversations.models import Conversation, Label, Message

    chunks = missing_chunks(Conversation, "conversation", tenant, total, CONVERSATION_CHUNK)
    if not chunks:
        return
    questions, answers = sealed(QUESTIONS), sealed(ANSWERS)
    through = Label.conversations.through
    new_conversation = Rows(Conversation, tenant_id=tenant.id, agent_id=agent.pk if agent else None,
                            event_seq=2 * EXCHANGES, last_inbound_seq=2 * EXCHANGES - 1,
                            answered_seq=2 * EXCHANGES - 1)  # fmt: skip
    new_question = Rows(Message, tenant_id=tenant.id, direction="inbound", sender_type="customer", status="delivered")
    new_answer = Rows(Message, tenant_id=tenant.id, direction="outbound", sender_type="agent", status="sent")

    def chunk(start: int) -> int:
        rng = random.Random(f"{tenant.slug}:{start}")
        conversations, messages, tags = [], [], []
        for n in range(start, min(start + CONVERSATION_CHUNK, total)):
            began = in_turn(n, total, end, rng)
            last = began + timedelta(minutes=2 * EXCHANGES)
            open_ = n % 20 == 0
            held = open_ and n % 100 == 0
            conversation = new_conversation(
                id=row_id("conversation", tenant, n), user_id=people[n % len(people)].id,
                channel=CHANNELS[n % len(CHANNELS)], status="open" if open_ else "closed",
                started_at=began, last_message_at=last, ended_at=None if open_ else last,
                held_by_id=staff.id if held else None, held_since=last if held else None,
                person_requested_at=last if open_ and n % 60 == 0 else None,
            )  # fmt: skip
            conversations.append(conversation)
            if n % LABELLED_ONE_IN == 1:
                tags.append(through(label=labels[n // LABELLED_ONE_IN % len(labels)], conversation=conversation))
            for x in range(EXCHANGES):
                asked_text, asked_values = questions[(n + x) % len(questions)]
                asked = new_question(
                    conversation_id=conversation.id, channel=conversation.channel,
                    sealed_text=asked_text, sealed_values=asked_values, seq=2 * x + 1,
                    created_at=began + timedelta(minutes=2 * x),
                )  # fmt: skip
                said, values = answers[(n + x) % len(answers)]
                messages += [asked, new_answer(
                    conversation_id=conversation.id, channel=conversation.channel, sealed_text=said,
                    sealed_values=values, in_reply_to_id=asked.id, metadata={"agent_type": AGENTS[n % len(AGENTS)]},
                    seq=2 * x + 2, created_at=asked.created_at + timedelta(seconds=1 + 9 * rng.random()),
                )]  # fmt: skip
        with transaction.atomic():
            return _bulk(Conversation, conversations) + _bulk(Message, messages) + _bulk(through, tags)

    in_processes(chunk, chunks, jobs, Progress(f"{tenant.slug} conversations and messages", len(chunks)))


def approval_fields(template) -> dict:
    """What every copied approval keeps of the product-made one."""
    from hitl.models import HITLApproval

    varied = {"id", "tenant_id", "reference", "status", "risk_level", "sla_deadline", "proposal_key", "target_key",
              "conversation_id", "source_message_id", "requested_by_id", "requested_at", "created_at", "updated_at",
              "resolved_at", "approved_at", "approved_by_id", "rejected_at", "rejected_by_id", "executed_at",
              "execution_status", "sla_breached", "workflow_id", "agent_id", "assigned_to_id", "related_to_id",
              "revision_of_id", "approved_under_id", "escalated_to_id"}  # fmt: skip
    return {
        f.attname: getattr(template, f.attname) for f in HITLApproval._meta.concrete_fields if f.attname not in varied
    }


def fill_approvals(
    tenant, people, total: int, *, conversations: int, end, template, deciders, in_template_tenant: bool, jobs: int = 1
) -> None:
    """`total` approvals over the year before `end`, each with its history and, decided by a person, its decision,
    the nth filed in the nth conversation; one in a hundred waits (filed in the last two days, due in three,
    assigned to `deciders`)."""
    from django.db import transaction

    from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision

    chunks = missing_chunks(HITLApproval, "approval", tenant, total, APPROVAL_CHUNK)
    if not chunks:
        return
    kept = approval_fields(template)
    own = {"workflow_id": template.workflow_id, "agent_id": template.agent_id} if in_template_tenant else {}
    assignees = HITLApproval.assignees.through
    levels = ["low", "medium", "high", "critical"]
    new_approval = Rows(HITLApproval, **kept, **own, tenant_id=tenant.id)
    new_history = Rows(HITLApprovalHistory, tenant_id=tenant.id)
    new_decision = Rows(HITLDecision, tenant_id=tenant.id, level=1, via="admin")

    def chunk(start: int) -> int:
        rng = random.Random(f"{tenant.slug}:approvals:{start}")
        approvals, history, decisions, assigned = [], [], [], []
        for n in range(start, min(start + APPROVAL_CHUNK, total)):
            person = people[n % len(people)]
            status = "pending" if n % 100 == 0 else OUTCOMES[n % len(OUTCOMES)]
            asked = end - timedelta(days=2) * rng.random() if status == "pending" else in_turn(n, total, end, rng)
            decided = None if status == "pending" else asked + timedelta(minutes=1 + rng.randrange(600))
            decider = deciders[n % len(deciders)]
            by_person = status in ("executed", "approved", "rejected")
            approval = new_approval(
                id=row_id("approval", tenant, n), reference=f"BT-{n:07d}",
                status=status, risk_level=levels[n % len(levels)], requested_by_id=person.id,
                conversation_id=row_id("conversation", tenant, n % conversations),
                requested_at=asked, created_at=asked, updated_at=decided or asked, resolved_at=decided,
                sla_deadline=asked + timedelta(days=3 if status == "pending" else 0, hours=4),
                approved_at=decided if status in ("executed", "approved") else None,
                approved_by_id=decider.id if status in ("executed", "approved") else None,
                rejected_at=decided if status == "rejected" else None,
                rejected_by_id=decider.id if status == "rejected" else None,
                executed_at=decided if status == "executed" else None,
                execution_status="succeeded" if status == "executed" else "",
            )  # fmt: skip
            approvals.append(approval)
            history.append(new_history(
                approval_id=approval.id, event_type="created", description="Requested by the agent",
                actor_id=person.id, actor_role="member", new_status="pending", timestamp=asked,
            ))  # fmt: skip
            if status == "pending":
                assigned += [assignees(hitlapproval=approval, user=d) for d in deciders]
                continue
            outcome = {"executed": "approved", "approved": "approved"}.get(status, status)
            history.append(new_history(
                approval_id=approval.id, event_type=outcome, description=f"{outcome.capitalize()}",
                actor_id=decider.id if by_person else None, actor_role=decider.role if by_person else "",
                previous_status="pending", new_status=outcome, timestamp=decided,
            ))  # fmt: skip
            if status == "executed":
                history.append(new_history(
                    approval_id=approval.id, event_type="executed", description="Done",
                    previous_status="executing", new_status="executed", timestamp=decided + timedelta(seconds=5),
                ))  # fmt: skip
            if by_person:
                decisions.append(new_decision(
                    approval_id=approval.id, approver_id=decider.id, decided_at=decided,
                    decision="reject" if status == "rejected" else "approve",
                ))  # fmt: skip
        with transaction.atomic():
            rows = _bulk(HITLApproval, approvals) + _bulk(HITLApprovalHistory, history)
            return rows + _bulk(HITLDecision, decisions) + _bulk(assignees, assigned)

    in_processes(chunk, chunks, jobs, Progress(f"{tenant.slug} approvals, history and decisions", len(chunks)))


def fill_campaigns(tenant, *, end) -> None:
    """CAMPAIGNS campaigns with a daily figure for each of the year's days (bulk, missing days only)."""
    from decimal import Decimal

    from agents.models import Campaign, CampaignDailyStat

    days = [(end - timedelta(days=d)).date() for d in range(1, 366)]
    for k in range(CAMPAIGNS):
        campaign, _ = Campaign.objects.get_or_create(
            tenant=tenant, name=f"Big campaign {k:02d}",
            defaults={"platform": ("google", "meta")[k % 2], "daily_budget": Decimal(100 + 10 * k)},
        )  # fmt: skip
        have = set(CampaignDailyStat.objects.filter(campaign=campaign).values_list("date", flat=True))
        _bulk(CampaignDailyStat, [
            CampaignDailyStat(
                tenant=tenant, campaign=campaign, date=day, spend=Decimal(90 + (k * 7 + i) % 20),
                impressions=10_000 + i, clicks=300 + i % 50, conversions=10 + i % 7, revenue=Decimal(400 + i % 90),
            )
            for i, day in enumerate(days) if day not in have
        ])  # fmt: skip


def small_tenant(k: int):
    from tenants.models import Tenant, User

    tenant, _ = Tenant.objects.get_or_create(
        slug=f"small-{k:02d}", defaults={"name": f"Small tenant {k:02d}", "mfa_required_roles": [],
                                         "step_up_risk_level": ""},
    )  # fmt: skip
    email = f"admin@small-{k:02d}.test"
    admin = User.objects.filter(email=email).first() or User.objects.create_user(
        email, None, tenant=tenant, role="admin", first_name="Admin", last_name=f"Small{k:02d}"
    )
    return tenant, admin


def metrics_for_recent(tenant, *, end, days: int = 31, jobs: int = 1) -> None:
    """The conversation report's per-conversation metrics, computed by the product's job code, for the last `days`
    days' conversations (the report's default range), 2,000 a batch in `jobs` processes; a year of them would take
    longer than the whole fill."""
    from analytics.models import ConversationMetrics
    from conversations.models import Conversation
    from reports.conversation_metrics import recompute

    recent = Conversation.objects.filter(tenant=tenant, started_at__gte=end - timedelta(days=days))
    done = ConversationMetrics.objects.filter(tenant=tenant, started_at__gte=end - timedelta(days=days))
    ids = list(recent.exclude(pk__in=done.values("conversation_id")).values_list("pk", flat=True))
    if not ids:
        return

    def batch(start: int) -> int:
        return recompute(ids[start : start + METRICS_BATCH])  # how many it computed

    starts = list(range(0, len(ids), METRICS_BATCH))
    in_processes(batch, starts, jobs, Progress("conversation metrics", len(starts), "conversations"))


def vacuum(statement: str) -> None:
    """What autovacuum would have done by now (this machine's PostgreSQL runs without it): fresh statistics for the
    planner, and (VACUUM) the visibility map that lets a count read an index alone. Without statistics the planner
    guesses, and it scanned all ten million messages for each batch of metrics."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(statement)
    print(f"  {statement}: {time.monotonic() - started:.0f} s", flush=True)


def fill(tenant, sizes: Sizes, *, template, now, jobs: int = 1) -> float:
    """Everything above that is missing, the big tenant's chunks and the small tenants in `jobs` processes; returns
    the seconds it took."""
    from conversations.models import Conversation, Label, Message
    from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision
    from tenants.models import User

    started = time.monotonic()
    staff = {u.role: u for u in User.objects.filter(tenant=tenant).exclude(role="member").order_by("email")}
    deciders = [staff["approver"], staff["admin"]]
    written = (Conversation, Message, Label.conversations.through, HITLApproval, HITLApprovalHistory, HITLDecision,
               HITLApproval.assignees.through)  # fmt: skip
    with (
        back_dated(Conversation, HITLApproval, HITLApprovalHistory, HITLDecision),
        binary_arrays(),
        foreign_keys_checked_after(*written),
    ):
        print(f"{tenant.name}: {sizes.people:,} people", flush=True)
        people = ensure_people(tenant, sizes.people, "person")
        labels = ensure_labels(tenant)
        fill_conversations(tenant, people, labels, sizes.conversations, end=now, staff=staff["support"],
                           agent=template.agent, jobs=jobs)  # fmt: skip
        fill_approvals(tenant, people, sizes.approvals, conversations=sizes.conversations, end=now,
                       template=template, deciders=deciders, in_template_tenant=True, jobs=jobs)  # fmt: skip
        fill_campaigns(tenant, end=now)
        print(f"{SMALL_TENANTS} small tenants", flush=True)

        def fill_small(k: int) -> int:
            small, admin = small_tenant(k)
            few = ensure_people(small, SMALL["people"], "person")
            fill_conversations(small, few, ensure_labels(small), sizes.small_conversations, end=now, staff=admin,
                               agent=template.agent)  # fmt: skip
            fill_approvals(small, few, sizes.small_approvals, conversations=sizes.small_conversations, end=now,
                           template=template, deciders=[admin], in_template_tenant=False)  # fmt: skip
            return 1

        in_processes(fill_small, list(range(SMALL_TENANTS)), jobs, Progress("small tenants", SMALL_TENANTS, "tenants"))
        # Before the metrics (their job reads a conversation's messages by its index) and before the foreign keys'
        # check, which reads every row: at full size, added right after the writes, the keys took 57 s (the vacuum
        # after them 10); after the vacuum, 11 s (the vacuum 21).
        vacuum("VACUUM (ANALYZE)")
    metrics_for_recent(tenant, end=now, jobs=jobs)
    vacuum("ANALYZE")  # the metrics' own tables (a sample of each table: seconds)
    took = time.monotonic() - started
    print(f"fill: {took:.0f} s", flush=True)
    return took
