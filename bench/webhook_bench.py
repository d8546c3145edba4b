"""WhatsApp webhook benchmark: signed Twilio webhooks against daphne, beside a bare Django view, same run.

    .venv/bin/python bench/webhook_bench.py --concurrency 1,16,64 --seconds 15

Starts daphne on 127.0.0.1 (bench.echo_asgi:application with DJANGO_SETTINGS_MODULE=bench.webhook_settings:
the product plus /bench/bare) on PostgreSQL and Redis, with the console WhatsApp provider and a
benchmark Twilio auth token. Each request to /channels/whatsapp/webhook is a new message (its own
MessageSid) from one of N verified members of the demo tenant, correctly signed, so it goes the
whole way: signature, form, tenant and sender, accept() (dedupe, conversation lock, message,
event, answer task enqueued on the Redis broker). No Celery worker runs: the answers wait in Redis,
and the figures are the web process's. The bare view reads the same form and answers the same
empty TwiML. For each concurrency the bare view is measured, then the webhook, for --seconds each.
Signatures are computed before timing. Each row also gives daphne's CPU time per request in that phase
(/proc), which says whether the phase was bound by daphne's CPU.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat_bench import BENCH_SECRETS, Daphne, apply_env, free_port, vacuum_database  # noqa: E402

TOKEN = "bench-twilio-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "b" * 32
SENDERS = 64


def bench_env(args, port: int) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.webhook_settings",
        "REDIS_URL": args.redis_url,
        "DATABASE_URL": args.database_url,
        "AGENT_ENGINE": "builtin",
        "WHATSAPP_PROVIDER": "console",
        "EMAIL_PROVIDER": "console",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain http on 127.0.0.1
        **BENCH_SECRETS,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


def prepare_senders() -> tuple[str, list[str]]:
    """The demo tenant's number and SENDERS verified members (created once)."""
    from channels_app.whatsapp.models import WhatsAppSender
    from tenants.demo import DEMO_TENANT
    from tenants.models import Tenant, User, UserPhoneNumber

    tenant = Tenant.objects.get(slug=DEMO_TENANT["slug"])
    number = WhatsAppSender.objects.get(tenant=tenant).number
    phones = []
    for index in range(SENDERS):
        phone = f"+1415555{2000 + index:04d}"
        user, _ = User.objects.get_or_create(
            email=f"bench-sender-{index}@acme.test", defaults={"tenant": tenant, "role": "member"}
        )
        UserPhoneNumber.objects.get_or_create(
            tenant=tenant, phone_number=phone, defaults={"user": user, "verified": True, "is_primary": True}
        )
        phones.append(phone)
    return number, phones


def signed_requests(base: str, number: str, phones: list[str], count: int) -> list[tuple[bytes, str]]:
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    url = f"{base}/channels/whatsapp/webhook"
    requests = []
    for index in range(count):
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT,
            "From": f"whatsapp:{phones[index % len(phones)]}",
            "To": f"whatsapp:{number}",
            "Body": "How is my Summer Sale campaign doing?",
            "NumMedia": "0",
            "ProfileName": "Bench",
        }
        requests.append((urlencode(form).encode(), validator.compute_signature(url, form)))
    return requests


async def run(url: str, concurrency: int, seconds: float, requests: list[tuple[bytes, str]]) -> dict:
    import httpx

    latencies, statuses = [], {}
    feed = iter(requests)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker():
            while time.monotonic() < deadline:
                body, signature = next(feed)
                headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
                started = time.perf_counter()
                try:
                    status = (await client.post(url, content=body, headers=headers)).status_code
                except httpx.TransportError as error:  # counted, not timed: e.g. a keep-alive socket daphne closed
                    status = type(error).__name__
                else:
                    latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "statuses": statuses,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/walker_bench")
    args = parser.parse_args()

    port = free_port()
    env = bench_env(args, port)
    apply_env(env)
    import django

    django.setup()
    number, phones = prepare_senders()
    vacuum_database()
    base = f"http://127.0.0.1:{port}"
    print(f"load average at start: {os.getloadavg()[0]:.2f} (nproc {os.cpu_count()})")
    print(f"{'c':>3} {'view':<8} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10}  statuses")
    results = {}
    with Daphne(env, port, ROOT / "var" / "webhook_bench_daphne.log") as daphne:
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            # Enough pre-signed requests for the fastest rate we could see.
            requests = signed_requests(base, number, phones, int(args.seconds * 3000) + concurrency)
            for name, path in (("bare", "/bench/bare"), ("webhook", "/channels/whatsapp/webhook")):
                cpu_before = daphne.cpu_seconds()
                figures = asyncio.run(run(f"{base}{path}", concurrency, args.seconds, requests))
                cpu_ms = 1000 * (daphne.cpu_seconds() - cpu_before) / max(1, figures["requests"])
                results[concurrency, name] = figures
                print(
                    f"{concurrency:>3} {name:<8} {figures['requests']:>8} {figures['rps']:>8.1f} "
                    f"{figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f} {cpu_ms:>10.2f}  {figures['statuses']}",
                    flush=True,
                )
        print(f"daphne CPU seconds: {daphne.cpu_seconds():.1f}")
    for concurrency in sorted({c for c, _ in results}):
        ratio = results[concurrency, "webhook"]["rps"] / results[concurrency, "bare"]["rps"]
        print(f"c={concurrency}: webhook at {100 * ratio:.0f} % of the bare view's requests per second")


if __name__ == "__main__":
    main()
