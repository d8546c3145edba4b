"""Approval-queue benchmark: render /admin/hitl/hitlapproval/ over 100,000 pending approvals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/walker_admin_bench REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/admin_bench.py --renders 20

Needs its own database, migrated and seeded first (the same two variables set):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE walker_admin_bench"
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo

It then makes sure the demo tenant holds --approvals pending approvals with
benchmark references BR-0000000 ... (seven digits: the product draws six, so the
two never collide), adding only those missing with bulk_create; a second run
adds nothing. They are copies of one approval the product made through the
pipeline (a WhatsApp budget request from member@acme.test), with risk levels
cycling low/medium/high/critical and SLA deadlines spread over the next week.

Each page is rendered through Django's test Client as approver@acme.test
(force_login), once untimed to warm caches, then --renders times. It prints,
per page, p50/p95 of the wall time of the whole request (middleware, session,
queries, template), the queries per render (CaptureQueriesContext) and the part
of the render spent in SQL. DEBUG is switched off before the first render (as
in production: no template debug information) unless --debug is given.
"""

import argparse
import contextlib
import io
import os
import platform
import shlex
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_admin_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"  # never 0: the test suite flushes database 0
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.celery import app as celery_app  # noqa: E402
from conversations.normalized import InboundMessage  # noqa: E402
from conversations.pipeline import accept  # noqa: E402
from hitl.models import HITLApproval, RiskLevel  # noqa: E402
from tenants.demo import DEMO_TENANT  # noqa: E402
from tenants.models import Tenant, User  # noqa: E402

BENCH_REFERENCE = r"^BR-\d{7}$"
APPROVER = "approver@acme.test"
MEMBER_PHONE = "+14155550105"  # member@acme.test
REQUEST = "Raise the Summer Sale budget to $700 a day"
BATCH = 5000
QUEUE = reverse("admin:hitl_hitlapproval_changelist")
PAGES = [
    ("first page", ""),
    ("filtered: pending + high", "?status__exact=pending&risk_level__exact=high"),
    ("search: q=BR-00", "?q=BR-00"),
    ("page 500", "?p=500"),
]
LEVELS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def machine() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    ) if Path("/proc/cpuinfo").exists() else platform.processor()  # fmt: skip
    return [
        f"machine: nproc {os.cpu_count()} ({cpu}), {platform.system()} {platform.release()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"Python {platform.python_version()}, Django {django.get_version()}",
        f"database: {connection.vendor} {database.split(' on ')[0]}",
    ]


def template_approval(tenant) -> HITLApproval:
    """An approval the product made, to copy; files one through the pipeline if there is none."""
    product_made = HITLApproval.objects.filter(tenant=tenant).exclude(reference__regex=BENCH_REFERENCE)
    template = product_made.order_by("created_at").first()
    if template is not None:
        return template
    print("filing one budget request through the pipeline to copy…", flush=True)
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)  # no worker: answer in-process
    with contextlib.redirect_stdout(io.StringIO()):  # the console e-mail provider prints each notification
        accepted = accept(InboundMessage(channel="whatsapp", text=REQUEST, sender_phone=MEMBER_PHONE))
    return HITLApproval.objects.get(source_message=accepted.message)


def ensure_approvals(tenant, wanted: int) -> None:
    existing = set(
        HITLApproval.objects.filter(tenant=tenant, reference__regex=BENCH_REFERENCE).values_list("reference", flat=True)
    )
    missing = [i for i in range(wanted) if f"BR-{i:07d}" not in existing]
    print(f"benchmark approvals: {len(existing):,} present, {len(missing):,} to create", flush=True)
    if not missing:
        return
    template = template_approval(tenant)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in HITLApproval._meta.concrete_fields
        if f.attname not in ("id", "reference", "status", "risk_level", "sla_deadline", "proposal_key")
    }
    now = timezone.now()
    started = time.monotonic()
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        rows = [
            HITLApproval(
                **fields,
                reference=f"BR-{i:07d}",
                risk_level=LEVELS[i % len(LEVELS)],
                sla_deadline=now + timedelta(seconds=(i * 6.048) % 604_800),  # spread over a week
            )
            for i in chunk
        ]
        with transaction.atomic():
            HITLApproval.objects.bulk_create(rows, batch_size=BATCH)
        done = start + len(chunk)
        print(f"  created {done:,}/{len(missing):,} ({time.monotonic() - started:.1f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {HITLApproval._meta.db_table}")  # fresh statistics for the planner


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def bench_page(client, query: str, renders: int) -> dict:
    url = QUEUE + query
    response = client.get(url)  # warm-up: template loading, permission caches, the plan cache
    assert response.status_code == 200, (url, response.status_code)
    shown = response.content.decode().count('name="_selected_action"')  # one checkbox per row shown
    times, sql, counts, slowest = [], [], set(), 0.0
    for _ in range(renders):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        counts.add(len(captured.captured_queries))
        per_query = [float(q["time"]) * 1000 for q in captured.captured_queries]
        sql.append(sum(per_query))
        slowest = max(slowest, *per_query)
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "queries": "/".join(str(c) for c in sorted(counts)),
        "sql_p50": statistics.median(sql),
        "slowest": slowest,
        "rows": shown,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", "-n", type=int, default=20, help="timed renders per page (default 20)")
    parser.add_argument("--approvals", type=int, default=100_000, help="pending approvals to hold (default 100000)")
    parser.add_argument("--debug", action="store_true", help="keep DEBUG as configured (template debug on)")
    parser.add_argument("--show-queries", action="store_true", help="after the table, each page's queries and times")
    args = parser.parse_args()

    env = " ".join(f"{k}={os.environ[k]}" for k in ("DATABASE_URL", "REDIS_URL"))
    python = Path(sys.executable)
    python = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    print(f"command: {env} {shlex.join([str(python), *sys.argv])}")
    for line in machine():
        print(line)
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the recorded figures are for PostgreSQL (DATABASE_URL)")

    tenant = Tenant.objects.filter(slug=DEMO_TENANT["slug"]).first()
    approver = User.objects.filter(email=APPROVER).first()
    if tenant is None or approver is None:
        sys.exit("no demo tenant: run `manage.py migrate` and `manage.py seed_demo` on this database first")
    ensure_approvals(tenant, args.approvals)
    total = HITLApproval.objects.filter(tenant=tenant).count()
    pending = HITLApproval.objects.filter(tenant=tenant, status="pending").count()
    print(f"tenant {tenant.name}: {total:,} approvals, {pending:,} pending")

    if not args.debug:
        settings.DEBUG = False  # before the first render: the template engine reads it when it is built
    print(f"DEBUG={settings.DEBUG}, {args.renders} timed renders per page after one warm-up, as {APPROVER}\n")
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host without touching ALLOWED_HOSTS
    client.force_login(approver)

    header = "| page | query | rows shown | p50 ms | p95 ms | queries/render | SQL ms (p50) | slowest query ms |"
    print(header)
    print("|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|")
    for name, query in PAGES:
        r = bench_page(client, query, args.renders)
        print(
            f"| {name} | `{query or '(none)'}` | {r['rows']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['queries']} "
            f"| {r['sql_p50']:.1f} | {r['slowest']:.1f} |",
            flush=True,
        )
    if args.show_queries:
        for name, query in PAGES:
            with CaptureQueriesContext(connection) as captured:
                client.get(QUEUE + query)
            print(f"\n{name}:")
            for q in captured.captured_queries:
                print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}{'…' if len(q['sql']) > 150 else ''}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
