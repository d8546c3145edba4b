"""Analytics benchmark: conversation metrics and approval analytics over 1,000,000 platform events.

    .venv/bin/python bench/analytics_bench.py            # creates and fills walker_analytics_bench once

It uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/walker_analytics_bench),
creating it if missing, migrating it and seeding the demo tenant. The rows are made by
set-based SQL (generate_series), never row by row, for the demo tenant over the 90 days
before today (its time zone is America/Los_Angeles):

* 100,000 conversations, each with two exchanges (400,000 messages: a customer message and
  the agent's reply 1 to 10 s later; one conversation in five is answered by a second agent);
* 60,000 approvals (requested at random times; approved, rejected, expired, cancelled or
  pending; decided by people 1 to 600 minutes later; 4-hour SLA) with one decision each when decided;
* 1,000,000 platform events: 5 per conversation (opened, 2 received, 2 responded), 2 per
  approval (requested, outcome) and 380,000 notification events.

A second run finds the rows and times again. It prints, with the command and the machine:
the time to recompute the approval analytics of one day and of one month (median of 5),
the conversation metrics of one day's and one month's conversations, the watermark job
after a day of events, a backfill of all 100,000 conversations, and the analytics API at
p50/p99 (--requests calls each, after one warm-up) as the demo tenant's approver.
"""

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_analytics_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")  # never 0: the test suite flushes database 0
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CONVERSATIONS = 100_000
APPROVALS = 60_000
EVENTS = 1_000_000
DAYS = 90


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.models import ConversationMetrics, HITLAnalytics, PlatformEvent, Watermark  # noqa: E402
from reports import approval_stats, conversation_metrics  # noqa: E402
from reports.periods import zone_of  # noqa: E402
from tenants.models import Tenant, User  # noqa: E402

FILL = """
-- conversations: started at random over the DAYS days before today, 4 of 5 closed
INSERT INTO conversations_conversation
    (id, tenant_id, user_id, channel, status, started_at, last_message_at, ended_at, metadata, event_seq)
SELECT gen_random_uuid(), %(tenant)s, %(member)s,
       (ARRAY['whatsapp','email','chat','api'])[1 + n %% 4],
       CASE WHEN n %% 5 = 0 THEN 'open' ELSE 'closed' END,
       t, t + interval '12 minutes', CASE WHEN n %% 5 = 0 THEN NULL ELSE t + interval '12 minutes' END,
       '{}'::jsonb, 0
FROM (SELECT n, %(end)s::timestamptz - random() * %(days)s * interval '1 day' AS t
      FROM generate_series(1, %(conversations)s) AS n) AS s;

-- two exchanges per conversation: a customer message and the agent's reply 1 to 10 s later
INSERT INTO conversations_message
    (id, tenant_id, conversation_id, channel, direction, sender_type, content_type, text, media_url, status,
     error, metadata, created_at, in_reply_to_id)
SELECT md5(c.id::text || x)::uuid, c.tenant_id, c.id, c.channel, 'inbound', 'customer', 'text',
       'How is the Summer Sale doing?', '', 'delivered', '', '{}'::jsonb,
       c.started_at + (x - 1) * interval '5 minutes', NULL
FROM conversations_conversation c CROSS JOIN generate_series(1, 2) AS x
WHERE c.tenant_id = %(tenant)s;

INSERT INTO conversations_message
    (id, tenant_id, conversation_id, channel, direction, sender_type, content_type, text, media_url, status,
     error, metadata, created_at, in_reply_to_id)
SELECT gen_random_uuid(), c.tenant_id, c.id, c.channel, 'outbound', 'agent', 'text', 'Here is what I found.', '',
       'sent', '',
       jsonb_build_object('agent_type', CASE WHEN x = 2 AND abs(hashtext(c.id::text)) %% 5 = 0 THEN 'seo'
                                             ELSE 'paid_ads' END),
       c.started_at + (x - 1) * interval '5 minutes' + (1 + random() * 9) * interval '1 second',
       md5(c.id::text || x)::uuid
FROM conversations_conversation c CROSS JOIN generate_series(1, 2) AS x
WHERE c.tenant_id = %(tenant)s;

-- approvals: outcome by n, people decisions 1 to 600 minutes after the request, a 4-hour SLA
INSERT INTO hitl_hitlapproval
    (id, tenant_id, reference, agent_type, action_type, action_data, action_summary,
     estimated_cost, estimated_reach, confidence, risk_level, risk_score, risk_factors, workflow_snapshot,
     approval_level, total_levels, required_approvals, received_approvals, status, priority, decided_automatically,
     requested_at, approval_notes, rejection_reason, sla_deadline, sla_breached,
     sla_breach_duration_minutes, escalation_reason, reminder_count, execution_status, execution_result,
     execution_error, execution_attempts, compliance_flags, created_at, updated_at,
     resolved_at, approved_at, rejected_at, conversation_id)
SELECT gen_random_uuid(), %(tenant)s, 'BR-' || lpad(n::text, 7, '0'), 'paid_ads',
       (ARRAY['set_budget','pause_campaign','publish_content','create_audience'])[1 + n %% 4],
       '{}'::jsonb, 'Benchmark action', (n %% 5000)::numeric, 1000, 0.8,
       (ARRAY['low','medium','high','critical'])[1 + n %% 4], 50, '[]'::jsonb, '{}'::jsonb,
       1, 1, 1, 0, status, 3, false, req, '', '', req + interval '4 hours', took > 240, 0, '', 0, '',
       '{}'::jsonb, '', 0, '[]'::jsonb, req, req,
       CASE WHEN status IN ('approved','rejected','expired','cancelled') THEN req + took * interval '1 minute' END,
       CASE WHEN status = 'approved' THEN req + took * interval '1 minute' END,
       CASE WHEN status = 'rejected' THEN req + took * interval '1 minute' END,
       NULL
FROM (SELECT n, %(end)s::timestamptz - random() * %(days)s * interval '1 day' AS req, 1 + floor(random() * 600) AS took,
             (ARRAY['approved','approved','approved','rejected','expired','cancelled','pending'])[1 + n %% 7] AS status
      FROM generate_series(1, %(approvals)s) AS n) AS s;

INSERT INTO hitl_hitldecision (id, tenant_id, approval_id, level, approver_id, decision, notes, via, user_agent,
                               decided_at)
SELECT gen_random_uuid(), a.tenant_id, a.id, 1,
       (%(approvers)s::uuid[])[1 + abs(hashtext(a.id::text)) %% %(napprovers)s],
       CASE WHEN a.status = 'approved' THEN 'approve' ELSE 'reject' END, '', 'admin', '', a.resolved_at
FROM hitl_hitlapproval a
WHERE a.tenant_id = %(tenant)s AND a.status IN ('approved','rejected') AND a.reference LIKE 'BR-_______';

-- platform events: 5 per conversation, 2 per approval, the rest notifications
INSERT INTO analytics_platformevent (id, tenant_id, event_type, conversation_id, subject_id, metadata, created_at)
SELECT gen_random_uuid(), c.tenant_id,
       (ARRAY['conversation_opened','message_received','agent_responded','message_received','agent_responded'])[x],
       c.id, NULL, '{}'::jsonb, c.started_at + (x - 1) * interval '2 minutes'
FROM conversations_conversation c CROSS JOIN generate_series(1, 5) AS x WHERE c.tenant_id = %(tenant)s;

INSERT INTO analytics_platformevent (id, tenant_id, event_type, conversation_id, subject_id, metadata, created_at)
SELECT gen_random_uuid(), a.tenant_id,
       CASE WHEN x = 1 THEN 'approval_requested'
            ELSE CASE a.status WHEN 'approved' THEN 'approval_approved' WHEN 'rejected' THEN 'approval_rejected'
                 WHEN 'expired' THEN 'approval_expired' WHEN 'cancelled' THEN 'approval_cancelled'
                 ELSE 'sla_breached' END END,
       NULL, a.id, jsonb_build_object('action_type', a.action_type),
       CASE WHEN x = 1 THEN a.requested_at ELSE coalesce(a.resolved_at, a.requested_at) END
FROM hitl_hitlapproval a CROSS JOIN generate_series(1, 2) AS x
WHERE a.tenant_id = %(tenant)s AND a.reference LIKE 'BR-_______';

INSERT INTO analytics_platformevent (id, tenant_id, event_type, conversation_id, subject_id, metadata, created_at)
SELECT gen_random_uuid(), %(tenant)s, 'notification_sent', NULL, NULL, '{"channel": "in_app"}'::jsonb,
       %(end)s::timestamptz - random() * %(days)s * interval '1 day'
FROM generate_series(1, %(notifications)s);

ANALYZE;
"""


def machine() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    return [
        f"machine: nproc {os.cpu_count()} ({cpu}), {platform.system()} {platform.release()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"Python {platform.python_version()}, Django {django.get_version()}",
        f"database: {database.split(' on ')[0]}",
    ]


def fill(tenant, end) -> None:
    if PlatformEvent.objects.filter(tenant=tenant).count() >= EVENTS:
        print("data present: timing only", flush=True)
        return
    members = User.objects.filter(tenant=tenant, role="member").order_by("email")
    approvers = list(User.objects.filter(tenant=tenant, role__in=["approver", "admin"]).values_list("pk", flat=True))
    conversation_events, approval_events = 5 * CONVERSATIONS, 2 * APPROVALS
    params = {
        "tenant": tenant.pk, "member": members[0].pk, "end": end, "days": DAYS, "conversations": CONVERSATIONS,
        "approvals": APPROVALS, "approvers": [str(a) for a in approvers], "napprovers": len(approvers),
        "notifications": EVENTS - conversation_events - approval_events,
    }  # fmt: skip
    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in (s for s in FILL.split(";\n") if s.strip()):
            step = time.monotonic()
            cursor.execute(statement, params)
            title = next(line for line in statement.strip().splitlines() if not line.startswith("--"))[:60]
            print(f"  {cursor.rowcount:>9,} rows  {time.monotonic() - step:6.1f} s  {title}", flush=True)
    print(f"filled in {time.monotonic() - started:.0f} s", flush=True)


def timed(function, *args, repeat: int = 1, **kwargs) -> float:
    """Median seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*args, **kwargs)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def api_times(client, path: str, requests: int) -> tuple[float, float]:
    assert client.get(path).status_code == 200, path  # warm-up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * len(ordered) + 0.5) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", "-n", type=int, default=50, help="timed calls per API query (default 50)")
    args = parser.parse_args()
    python = Path(sys.executable)
    python = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    print(f"command: DATABASE_URL={os.environ['DATABASE_URL']} {shlex.join([str(python), *sys.argv])}")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    for line in machine():
        print(line)

    tenant = Tenant.objects.get(slug="acme-outdoor")
    zone = zone_of(tenant)
    today = timezone.now().astimezone(zone).date()
    end = timezone.now().replace(microsecond=0) - timedelta(days=1)
    fill(tenant, end)
    counts = {
        "platform events": PlatformEvent.objects.filter(tenant=tenant).count(),
        "conversations": tenant.conversations.count(),
        "approvals": tenant.approvals.count(),
    }
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()), "\n", flush=True)

    results = []
    day = today - timedelta(days=10)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for label, kind, start in (("a day", "day", day), ("a month", "month", month)):
        seconds = timed(approval_stats.recompute_period, tenant, kind, start, repeat=5)
        row = tenant_row(tenant, kind, start)
        results.append((f"approval analytics: recompute {label} ({row.total_requests:,} approvals)", seconds))

    ids = list(tenant.conversations.order_by("started_at").values_list("pk", flat=True))
    seconds = timed(conversation_metrics.recompute, ids)
    results.append((f"conversation metrics: backfill all {len(ids):,} conversations", seconds))
    for label, since in (("a day", timedelta(days=1)), ("a month", timedelta(days=30))):
        chosen = list(tenant.conversations.filter(started_at__gte=end - since).values_list("pk", flat=True))
        seconds = timed(conversation_metrics.recompute, chosen, repeat=3)
        results.append((f"conversation metrics: recompute {label} ({len(chosen):,} conversations)", seconds))
    Watermark.objects.update_or_create(
        tenant=tenant, job=conversation_metrics.JOB, defaults={"reached": end - timedelta(days=1)}
    )
    seconds = timed(conversation_metrics.refresh_tenant, tenant.pk, now=end)
    results.append(("conversation metrics: watermark job after a day of events", seconds))

    print("| what | seconds |")
    print("|---|---|")
    for label, seconds in results:
        print(f"| {label} | {seconds:.3f} |", flush=True)

    settings.DEBUG = False
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email="approver@acme.test"))
    first30, first90 = (today - timedelta(days=29)).isoformat(), (today - timedelta(days=89)).isoformat()
    queries = [
        f"/api/analytics/conversations/?start={first30}&group_by=day",
        f"/api/analytics/conversations/?start={first90}&group_by=agent",
        f"/api/analytics/hitl/?start={first30}&group_by=day",
        f"/api/analytics/hitl/?start={first90}&group_by=action_type",
    ]
    print(f"\n{args.requests} timed calls per query after one warm-up, as approver@acme.test, DEBUG=False\n")
    print("| API query | p50 ms | p99 ms |")
    print("|---|---|---|")
    for path in queries:
        p50, p99 = api_times(client, path, args.requests)
        print(f"| `{path}` | {p50:.1f} | {p99:.1f} |", flush=True)
    print(f"\n{ConversationMetrics.objects.filter(tenant=tenant).count():,} conversation metrics rows")


def tenant_row(tenant, kind, start):
    return HITLAnalytics.objects.get(tenant=tenant, period_type=kind, period_start=start)


if __name__ == "__main__":
    main()
