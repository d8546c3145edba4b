"""The dashboard and the analytics API read by many people at once, with and without the report cache.

    .venv/bin/python bench/report_cache_bench.py --readers 100 --web 2

Starts --web daphne processes (Walker's own application, bench/report_cache_asgi.py, which counts
the statements each process sends the database), on PostgreSQL database walker_report_cache_bench
(created, migrated, seeded with the demo tenant and filled once: 20,000 conversations with their
messages and metrics, 12,000 approvals, 200,000 platform events over 90 days, by bench/analytics_fill.py,
the analytics benchmark's fill at a fifth of its size) and Redis database 8. --readers people of the demo
tenant, each signed in with their own session, open the same page at once, spread over the processes: the
dashboard (/admin/, the last 14 days), the conversation report (90 days by agent) and the
approval report (30 days by day).

Each page is read in three rounds: a refresh (the figures announced changed, as the aggregation
job or an approval event does: every entry must be computed again), the same readers again (hits),
then the same two rounds with REPORT_CACHE_SECONDS=0 (every reader computes). For each it prints
the statements the web processes sent while computing reports, the other statements (sessions,
permissions, the sidebar's count), and the readers' latency p50/p99 and the round's wall time.
"""

import argparse
import asyncio
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from analytics_fill import Sizes, ensure_database  # noqa: E402
from chat_bench import BENCH_SECRETS, apply_env, free_port, vacuum_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_report_cache_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
SIZES = Sizes.of(0.2)  # 20,000 conversations, 12,000 approvals, 200,000 platform events
COUNTS = ("bench:report-cache:report", "bench:report-cache:other")


def env_for(args, cache_seconds: int) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, as behind a TLS-terminating proxy
        **BENCH_SECRETS,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "API_THROTTLE_USER": "1000000/minute",
        "REPORT_CACHE_SECONDS": str(cache_seconds),
        "LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


class Web:
    """`count` daphne processes of bench.report_cache_asgi on free ports; stopped on exit."""

    def __init__(self, env: dict, count: int):
        self.env, self.ports, self.procs = env, [free_port() for _ in range(count)], []
        self.log = Path(tempfile.mkstemp(prefix="report-cache-bench-daphne-", suffix=".log")[1])

    def __enter__(self):
        daphne = shutil.which("daphne", path=str(Path(sys.executable).parent)) or "daphne"
        self.out = open(self.log, "w")  # noqa: SIM115  (the processes write to it until __exit__)
        for port in self.ports:
            self.procs.append(subprocess.Popen(
                [daphne, "-b", "127.0.0.1", "-p", str(port), "bench.report_cache_asgi:application"],
                cwd=ROOT, env={**os.environ, **self.env}, stdout=self.out, stderr=subprocess.STDOUT,
                start_new_session=True,
            ))  # fmt: skip
        for port, proc in zip(self.ports, self.procs, strict=True):
            deadline = time.monotonic() + 60
            while not self._healthy(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"daphne on {port} did not start; see {self.log}")
                time.sleep(0.2)
        return self

    @staticmethod
    def _healthy(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.out.close()


def prepare(readers: int):
    """The demo tenant, filled once; `readers` admins of it and a session cookie for each."""
    from analytics_fill import fill
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from analytics.models import ConversationMetrics
    from reports import conversation_metrics
    from tenants.models import Tenant, User
    from tenants.roles import Role

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0 pages name hashed static files
    if not Tenant.objects.filter(slug="acme-outdoor").exists():
        call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug="acme-outdoor")
    fill(tenant, timezone.now().replace(microsecond=0) - timedelta(days=1), SIZES)
    if ConversationMetrics.objects.filter(tenant=tenant).count() < SIZES.conversations:
        started = time.monotonic()
        conversation_metrics.recompute(list(tenant.conversations.values_list("pk", flat=True)))
        print(f"conversation metrics computed in {time.monotonic() - started:.0f} s", flush=True)
    cookies = []
    for n in range(readers):
        email = f"bench-admin-{n}@acme.test"
        person = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, tenant=tenant, role=Role.ADMIN, first_name="Reader", last_name=str(n)
        )
        client = Client()
        client.force_login(person)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return tenant, cookies


async def read_at_once(ports: list[int], cookies: list[str], path: str) -> list[float]:
    """Every reader asks `path` at once (reader i from process i mod len(ports)); each one's seconds."""
    limits = httpx.Limits(max_connections=len(cookies), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one(n: int, cookie: str) -> float:
            started = time.perf_counter()
            response = await client.get(f"http://127.0.0.1:{ports[n % len(ports)]}{path}", headers={"Cookie": cookie})
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            return time.perf_counter() - started

        return await asyncio.gather(*(one(n, cookie) for n, cookie in enumerate(cookies)))


def measure(counter, ports, cookies, path: str) -> dict:
    counter.delete(*COUNTS)
    started = time.perf_counter()
    times = sorted(asyncio.run(read_at_once(ports, cookies, path)))
    wall = time.perf_counter() - started
    report, other = (int(counter.get(key) or 0) for key in COUNTS)
    return {
        "report": report,
        "other": other,
        "p50": statistics.median(times) * 1000,
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        "wall": wall,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--web", type=int, default=2, help="daphne processes (default 2)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    print(f"command: {shlex.join([sys.executable.replace(str(ROOT) + '/', ''), *sys.argv])}")
    apply_env(env_for(args, 300))
    ensure_database(args.database_url)
    import django
    import redis

    django.setup()

    from reports.cache import figures_changed

    tenant, cookies = prepare(args.readers)
    vacuum_database()
    from django.db import connections

    connections.close_all()
    print(f"machine: nproc {os.cpu_count()}, {platform.system()} {platform.release()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    today = time.strftime("%Y-%m-%d")
    first30 = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 29 * 86400))
    first90 = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 89 * 86400))
    pages = {
        "dashboard": "/admin/",
        "conversations API": f"/api/analytics/conversations/?start={first90}&end={today}&group_by=agent",
        "approvals API": f"/api/analytics/hitl/?start={first30}&end={today}&group_by=day",
    }
    counter = redis.Redis.from_url(args.redis_url)
    rows = []
    for cache_seconds in (300, 0):
        with Web(env_for(args, cache_seconds), args.web) as web:
            for name, path in pages.items():
                asyncio.run(read_at_once(web.ports, cookies[:1], path))  # warm-up: imports, templates
                rounds = ("refresh", "again") if cache_seconds else ("every reader computes", "again")
                for label in rounds:
                    if cache_seconds and label == "refresh":
                        figures_changed(tenant.pk)  # as the aggregation job or an approval event does
                    result = measure(counter, web.ports, cookies, path)
                    rows.append((name, "on" if cache_seconds else "off", label, result))
                    print(f"  {name:18} cache {rows[-1][1]:3} {label:22} report statements {result['report']:5}  "
                          f"other {result['other']:5}  p50 {result['p50']:7.0f} ms  p99 {result['p99']:7.0f} ms  "
                          f"wall {result['wall']:5.1f} s", flush=True)  # fmt: skip
    print(f"\n{args.readers} readers at once over {args.web} daphne processes\n")
    print("| page | cache | round | report statements | other statements | p50 ms | p99 ms | wall s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for name, on, label, r in rows:
        print(f"| {name} | {on} | {label} | {r['report']} | {r['other']} | {r['p50']:.0f} | {r['p99']:.0f} | "
              f"{r['wall']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
