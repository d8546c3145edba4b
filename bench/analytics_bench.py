"""Analytics benchmark: conversation metrics and approval analytics over 1,000,000 platform events.

    .venv/bin/python bench/analytics_bench.py                  # creates and fills walker_analytics_bench once
    .venv/bin/python bench/analytics_bench.py --fraction 0.2   # a fifth of the rows, in the same proportions

It uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/walker_analytics_bench),
creating it if missing, migrating it and seeding the demo tenant. bench/analytics_fill.py makes the rows
(through the ORM, the fill bench/report_cache_bench.py uses too) for the demo tenant over the 90 days
before today (its time zone is America/Los_Angeles): 100,000 conversations with 400,000 messages,
60,000 approvals with their decisions, and 1,000,000 platform events (its docstring says which).

A second run finds the rows and times again. It prints, with the command and the machine:
the time to recompute the approval analytics of one day and of one month (median of 5),
the conversation metrics of one day's and one month's conversations, the watermark job
after a day of events, a backfill of all the conversations, and the analytics API at
p50/p99 (--requests calls each, after one warm-up) as the demo tenant's admin, computed (the report
cache off) and from the report cache.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from analytics_fill import Sizes, ensure_database, fill  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_analytics_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")  # never 0: the test suite flushes database 0
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "warning")  # not a line per request between the figures

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
    parser.add_argument(
        "--fraction", type=float, default=1.0, help="of the full size (1,000,000 events), e.g. 0.2 (default 1)"
    )
    args = parser.parse_args()
    try:
        sizes = Sizes.of(args.fraction)
    except ValueError as error:
        parser.error(str(error))
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
    fill(tenant, end, sizes)
    counts = {
        "platform events": PlatformEvent.objects.filter(tenant=tenant).count(),
        "conversations": tenant.conversations.count(),
        "approvals": tenant.approvals.count(),
    }
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()) + "\n", flush=True)

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
    client.force_login(User.objects.get(email="admin@acme.test"))  # approvers see only the approval report
    first30, first90 = (today - timedelta(days=29)).isoformat(), (today - timedelta(days=89)).isoformat()
    queries = [
        f"/api/analytics/conversations/?start={first30}&group_by=day",
        f"/api/analytics/conversations/?start={first90}&group_by=agent",
        f"/api/analytics/hitl/?start={first30}&group_by=day",
        f"/api/analytics/hitl/?start={first90}&group_by=action_type",
    ]
    cached = settings.REPORT_CACHE_SECONDS
    print(f"\n{args.requests} timed calls per query after one warm-up, as admin@acme.test, DEBUG=False;")
    print(f"computed: REPORT_CACHE_SECONDS=0, every call reads the rows; cached: {cached} (Redis), hits\n")
    print("| API query | computed p50 ms | computed p99 ms | cached p50 ms | cached p99 ms |")
    print("|---|---|---|---|---|")
    for path in queries:
        settings.REPORT_CACHE_SECONDS = 0
        computed = api_times(client, path, args.requests)
        settings.REPORT_CACHE_SECONDS = cached
        hits = api_times(client, path, args.requests) if cached else (float("nan"),) * 2
        print(f"| `{path}` | {computed[0]:.1f} | {computed[1]:.1f} | {hits[0]:.1f} | {hits[1]:.1f} |", flush=True)
    print(f"\n{ConversationMetrics.objects.filter(tenant=tenant).count():,} conversation metrics rows")


def tenant_row(tenant, kind, start):
    return HITLAnalytics.objects.get(tenant=tenant, period_type=kind, period_start=start)


if __name__ == "__main__":
    main()
