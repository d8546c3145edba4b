"""POST /api/conversations/{id}/messages/ against daphne, beside a bare API view measured in the same run.

    .venv/bin/python bench/api_bench.py --concurrency 1,16 --requests 320

Starts daphne (bench.echo_asgi:application, settings bench.settings_variants, which adds
/bench/bare/: the API's own stack, token auth and throttling, and nothing of Walker's work)
and a Celery worker (prefork, 2 processes) that answers, on PostgreSQL database walker_bench
and Redis database 5. For each concurrency c it posts --requests messages with c clients
at once, (a) all into one conversation, (b) spread over 16 conversations, and (c) to the
bare view, and prints p50/p99 and requests per second. Messages are answered 202 at once;
the workers answer them meanwhile (nothing waits). Needs `migrate` and `seed_demo` on the
benchmark database first.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_bench import BENCH_SECRETS, Daphne, Worker, free_port, setup_django, vacuum_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"


def env_for(args, port: int) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings_variants",
        "REDIS_URL": args.redis_url,
        "DATABASE_URL": args.database_url,
        "AGENT_ENGINE": "builtin",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, as behind a TLS-terminating proxy
        **BENCH_SECRETS,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "API_THROTTLE_USER": "1000000/minute",  # the benchmark is one user posting far more than a person would
        "LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


def prepare(conversations: int) -> tuple[str, list[str]]:
    """A token for a member of the demo tenant and `conversations` API conversations of theirs.

    The member is bench-api@acme.test, created here: addresses are looked up by a keyed hash, and the
    benchmark's keys (BENCH_SECRETS) are not the ones `seed_demo` may have run with.
    """
    from rest_framework.authtoken.models import Token

    from conversations.services import open_conversation
    from tenants.models import Tenant, User
    from tenants.roles import Role

    tenant = Tenant.objects.filter(slug="acme-outdoor").first()
    if tenant is None:
        raise SystemExit("The demo tenant is missing: run `manage.py migrate` and `manage.py seed_demo` first.")
    member = User.objects.filter(email="bench-api@acme.test").first() or User.objects.create_user(
        "bench-api@acme.test", None, tenant=tenant, role=Role.MEMBER, first_name="Bench"
    )
    token, _ = Token.objects.get_or_create(user=member)
    return token.key, [str(open_conversation(member, "api").pk) for _ in range(conversations)]


async def run(base: str, token: str, urls: list[str], concurrency: int, total: int) -> dict:
    times, statuses = [], {}
    headers = {"Authorization": f"Token {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        counter = iter(range(total))

        async def worker():
            for n in counter:
                t0 = time.perf_counter()
                response = await client.post(urls[n % len(urls)], json={"message": "How is my Summer Sale doing?"})
                times.append(time.perf_counter() - t0)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "rps": len(times) / elapsed,
        "statuses": statuses,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--concurrency", default="1,16")
    p.add_argument("--requests", type=int, default=320)
    p.add_argument("--only", help="run only the targets whose name contains this (e.g. 'bare', '16 conv')")
    p.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    p.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = p.parse_args()
    port = free_port()
    env = env_for(args, port)
    setup_django(env)
    token, conversations = prepare(16)
    vacuum_database()
    from django.db import connections

    connections.close_all()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="api-bench-daphne-", suffix=".log")[1])
    rows = []
    with Worker(env, 2, log.with_name(log.stem + "-worker.log")), Daphne(env, port, log):
        for c in [int(x) for x in args.concurrency.split(",")]:
            cases = {
                "messages, one conversation": [f"/api/conversations/{conversations[0]}/messages/"],
                "messages, 16 conversations": [f"/api/conversations/{cid}/messages/" for cid in conversations],
                "bare view": ["/bench/bare/"],
            }
            for name, urls in cases.items():
                if args.only and args.only not in name:
                    continue
                result = asyncio.run(run(base, token, urls, c, args.requests))
                rows.append((c, name, result))
                print(f"  c={c:<3} {name:28} p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
                      f"{result['rps']:6.1f} req/s  {result['statuses']}", flush=True)  # fmt: skip
    print()
    print("| concurrency | target | p50 ms | p99 ms | req/s | answers | vs bare req/s |")
    print("|---:|---|---:|---:|---:|---|---:|")
    bare = {c: r["rps"] for c, name, r in rows if name == "bare view"}
    for c, name, r in rows:
        share = f"{r['rps'] / bare[c] * 100:.0f}%" if c in bare else "n/a"
        print(f"| {c} | {name} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rps']:.1f} | {r['statuses']} | {share} |")


if __name__ == "__main__":
    main()
