"""The approval desk under load: many outside agents waiting on long polls while approvers decide through the API.

    .venv/bin/python bench/approval_desk_bench.py --agents 200 --requests 1000 --deciders 8 --pool 80 --web 2

Starts --web daphne processes (bench.echo_asgi:application on bench.settings_variants, which adds the bare API view
/bench/bare/; the agents and approvers spread over them, as the production shape's proxy spreads its clients)
and a Celery worker (prefork, 2) on PostgreSQL database walker_bench and Redis database 5, and a callback receiver
on 127.0.0.1 in this process. Then:

  file     each of --agents agents (an integration token with the request scope each, and an HTTP client of its
           own that retries as Walker's client package does) files its share of
           --requests requests of a registered type, each POSTed twice with the same idempotency key (a retry):
           the second must answer 200 with the same request;
  wait     every request is waited on at once with `GET …/{id}/?wait=30`, asked again until decided; the
           deciding starts once daphne has taken in every first poll (a quick read three times running);
  decide   --deciders approvers' clients approve them all through `POST /api/hitl/approvals/{id}/approve/`;
  report   each agent reports the outcome of each approved request twice (a retry).

It prints the decision → long-poll answer latency (from the approve call's answer to the waiting agent's), the
decision → callback latency, p50 and p99 of each, filing's p50, the bare API view's p50 measured in the same run
(the stack without Walker's work), the load average, the counts the database holds afterwards (requests filed
per key: 1, decisions and approvals per request: 1, outcomes recorded per request: 1), and the cores each process
used in each phase (filing; waiting: 10 s with every request waited on and nobody deciding; deciding).

Needs `manage.py migrate` and `manage.py seed_demo` on the benchmark database first.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_bench import BENCH_SECRETS, Daphne, Worker, free_port, setup_django, vacuum_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
ACTION = "bench_budget"
SCHEMA = {
    "type": "object",
    "properties": {"campaign": {"type": "string"}, "amount": {"type": "string"}},
    "required": ["campaign", "amount"],
    "additionalProperties": False,
}


def env_for(args, port: int) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings_variants",
        "REDIS_URL": args.redis_url,
        "DATABASE_URL": args.database_url,
        "AGENT_ENGINE": "builtin",
        "WHATSAPP_PROVIDER": "console",
        "EMAIL_PROVIDER": "console",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        **BENCH_SECRETS,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "API_THROTTLE_USER": "1000000/minute",
        "APPROVAL_REQUESTS_RATE": "1000000/minute",
        "APPROVAL_REQUESTS_MAX_WAITING": "100000",
        "OUTBOUND_ALLOW_HTTP": "1",  # the callback receiver is this process, on plain http at 127.0.0.1
        "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",
        "LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_POOL_MAX": str(args.pool),  # each request's thread holds one from its sign-in to its wait
    }


def prepare(agents: int) -> dict:
    """The tenant's benchmark type and signing secret, `agents` request tokens and an approver's decide token."""
    from agents.tenant_actions.models import TenantActionType
    from hitl.models import HITLApproval
    from tenants.identity import integration_tokens
    from tenants.models import IntegrationToken, Tenant, User
    from tenants.roles import Role

    tenant = Tenant.objects.filter(slug="acme-outdoor").first()
    if tenant is None:
        raise SystemExit("The demo tenant is missing: run `manage.py migrate` and `manage.py seed_demo` first.")
    TenantActionType.objects.update_or_create(
        tenant=tenant,
        key=ACTION,
        defaults={"names": {"en": "Bench budget"}, "args_schema": SCHEMA, "editable_fields": ["amount"],
                  "money_field": "amount", "currency": "EUR", "base_risk": 5, "runs_by": "agent"},
    )  # fmt: skip
    tenant.action_webhook_secret = "bench-callback-secret"
    tenant.save(update_fields=["action_webhook_secret"])
    # By role: addresses are looked up by a keyed hash, and the benchmark's keys (BENCH_SECRETS) may not be the
    # ones `seed_demo` ran with.
    admin = User.objects.filter(tenant=tenant, role=Role.ADMIN).order_by("date_joined").first()
    approver = User.objects.filter(tenant=tenant, role=Role.APPROVER).order_by("date_joined").first()
    IntegrationToken.objects.filter(tenant=tenant, name__startswith="bench ").delete()  # an earlier run's
    HITLApproval.objects.filter(tenant=tenant, action_type=ACTION).delete()  # and its requests
    tokens = [
        integration_tokens.create_token(admin, name=f"bench agent {n}", scopes=["request"])[1] for n in range(agents)
    ]
    decider = integration_tokens.create_token(approver, name="bench approver", scopes=["read", "write", "decide"])[1]
    return {"tenant": tenant, "agents": tokens, "decider": decider}


class Receiver:
    """The agents' callback URL: answers 200 and notes when each approval's decision arrived."""

    def __init__(self):
        self.arrived: dict[str, float] = {}
        self.duplicates = 0

    async def handle(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = json.loads(await reader.readexactly(length))
            if body["id"] in self.arrived:
                self.duplicates += 1
            self.arrived.setdefault(body["id"], time.monotonic())
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
        finally:
            writer.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def bare_p50(base: str, token: str, total: int = 320, concurrency: int = 16) -> float:
    times = []
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
        counter = iter(range(total))

        async def one():
            for _ in counter:
                started = time.monotonic()
                (await client.post("/bench/bare/", json={"message": "bench"})).raise_for_status()
                times.append(time.monotonic() - started)

        await asyncio.gather(*(one() for _ in range(concurrency)))
    return statistics.median(times)


class Retrying:
    """A client that sends a request again as an agent using Walker's client package does (walker_approvals.wire.Retry):
    after a broken connection (httpx.TransportError: daphne closed a kept-alive connection as the next request went
    out), a 429 or a 5xx, with the same body and idempotency key, after a delay doubling from 0.5 s with jitter."""

    ATTEMPTS = 6

    def __init__(self, client: httpx.AsyncClient):
        self.client, self.dropped, self.refused = client, 0, 0

    async def send(self, method: str, url: str, **kwargs) -> httpx.Response:
        for attempt in range(self.ATTEMPTS):
            last = attempt == self.ATTEMPTS - 1
            try:
                response = await self.client.request(method, url, **kwargs)
            except httpx.TransportError:
                self.dropped += 1
                if last:
                    raise
            else:
                if response.status_code != 429 and response.status_code < 500 or last:
                    return response
                self.refused += 1
            await asyncio.sleep(min(0.5 * 2**attempt, 30) * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")


async def settled(client: Retrying, request_id: str, token: str, ceiling: float = 45) -> tuple[float, bool]:
    """Seconds until daphne has taken in every agent's first long poll: a read without waiting answers within 100 ms
    three times running; and whether that happened before `ceiling` seconds. Filing leaves a queue of first polls
    behind it (each waits its turn for a connection); one decided before its poll is in would time that queue, not the
    wake-up (the last filed are decided first). A desk whose re-polls alone keep reads above 100 ms never gets there:
    its steady state is then what the deciding runs in."""
    started, quick = time.monotonic(), 0
    await asyncio.sleep(2)
    while quick < 3 and time.monotonic() - started < ceiling:
        asked = time.monotonic()
        await client.send(
            "GET", f"/api/v1/approval-requests/{request_id}/", headers={"Authorization": f"Token {token}"}
        )
        quick = quick + 1 if time.monotonic() - asked < 0.1 else 0
        await asyncio.sleep(0.2)
    return time.monotonic() - started, quick >= 3


def postgres_cpu_seconds() -> float:
    """User + system CPU time of every PostgreSQL process on this machine so far (utime + stime of /proc's stat), to
    the clock tick: the server's share of a phase, counted by difference. A backend that ended between two readings
    takes its time with it; the pools keep theirs for the whole run."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split("(", 1)[1].rsplit(")", 1)
        except OSError:  # the process ended meanwhile
            continue
        if name.startswith("postgres"):
            utime, stime = fields.split()[11:13]
            total += int(utime) + int(stime)
    return total / ticks


class Phases:
    """Each phase's wall time and the CPU each process used in it: what takes the two cores while agents wait and
    while approvers decide."""

    def __init__(self, clocks: dict):
        self.clocks, self.spent, self.mark = clocks, {}, None

    def _reading(self) -> dict:
        return {"wall": time.monotonic(), "bench": time.process_time(), **{k: c() for k, c in self.clocks.items()}}

    def start(self) -> None:
        self.mark = self._reading()

    def end(self, phase: str) -> None:
        now = self._reading()
        self.spent[phase] = {k: now[k] - self.mark[k] for k in now}
        self.mark = now

    def lines(self) -> list[str]:
        return [
            f"{phase}: {spent['wall']:.0f} s; cores used: "
            + ", ".join(f"{k} {v / spent['wall']:.2f}" for k, v in spent.items() if k != "wall")
            for phase, spent in self.spent.items()
        ]


async def run(bases: list[str], prepared: dict, args, receiver: Receiver, callback_url: str, phases: Phases) -> dict:
    tokens = prepared["agents"]
    # One client per agent, as each agent is its own program: one client holding every agent's thousand connections
    # spent most of a core in httpcore's pool, which scans all its connections on each request and answer.
    share = -(-args.requests // len(tokens))
    limits = httpx.Limits(max_connections=share + 2, max_keepalive_connections=share + 2)
    # Spread over the web processes as the production shape's proxy spreads its clients.
    agents = {
        token: Retrying(httpx.AsyncClient(base_url=bases[n % len(bases)], limits=limits, timeout=60))
        for n, token in enumerate(tokens)
    }
    approvers = [Retrying(httpx.AsyncClient(base_url=bases[n % len(bases)], timeout=60)) for n in range(args.deciders)]
    client = approvers[0]  # and the settling reads
    filing, mismatched = [], 0
    answered: dict[str, float] = {}
    last_poll_sent: dict[str, float] = {}  # when the poll that brought the decision was sent
    poll_errors = 0

    async def wait(request_id: str, token: str):
        nonlocal poll_errors
        while True:
            sent = time.monotonic()
            response = await agents[token].send(
                "GET", f"/api/v1/approval-requests/{request_id}/?wait=30", headers={"Authorization": f"Token {token}"}
            )
            if response.status_code != 200:  # counted, and asked again as a client would
                poll_errors += 1
                await asyncio.sleep(1)
                continue
            if response.json()["decision"] is not None:
                answered[request_id] = time.monotonic()
                last_poll_sent[request_id] = sent
                return

    waiting = []

    async def file(n: int) -> tuple[str, str]:
        nonlocal mismatched
        token = tokens[n % len(tokens)]
        body = {
            "action": ACTION,
            "args": {"campaign": f"Bench {n}", "amount": f"{100 + n}.00"},
            "description": f"Bench request {n}",
            "idempotency_key": f"bench-{uuid.uuid4()}",
            "callback_url": callback_url,
        }
        headers = {"Authorization": f"Token {token}"}
        started = time.monotonic()
        first = await agents[token].send("POST", "/api/v1/approval-requests/", json=body, headers=headers)
        filing.append(time.monotonic() - started)
        again = await agents[token].send("POST", "/api/v1/approval-requests/", json=body, headers=headers)  # a retry
        if first.status_code != 202 or again.status_code != 200 or first.json()["id"] != again.json()["id"]:
            mismatched += 1
        waiting.append(asyncio.create_task(wait(first.json()["id"], token)))  # as an agent waits once it asked
        return first.json()["id"], token

    gate = asyncio.Semaphore(64)

    async def gated_file(n):
        async with gate:
            return await file(n)

    print(f"filing {args.requests} requests…", flush=True)
    phases.start()
    filed = await asyncio.gather(*(gated_file(n) for n in range(args.requests)))
    print("filed; waiting for every first poll…", flush=True)
    phases.end("filing")
    settling, quiet = await settled(client, *filed[-1])
    await asyncio.sleep(10)  # the waiting state alone: re-polls and the watch, nobody deciding
    phases.end("waiting")
    decided: dict[str, float] = {}
    queue = list(filed)

    async def decider(client: Retrying):
        headers = {"Authorization": f"Token {prepared['decider']}"}
        while queue:
            request_id, _ = queue.pop()
            response = await client.send("POST", f"/api/hitl/approvals/{request_id}/approve/", json={}, headers=headers)
            if response.status_code != 409:  # 409: a decision sent again after a dropped connection, already made
                response.raise_for_status()
            decided[request_id] = time.monotonic()

    print("deciding…", flush=True)
    deciding_started = time.monotonic()
    await asyncio.gather(*(decider(approver) for approver in approvers))
    deciding = time.monotonic() - deciding_started
    phases.end("deciding")
    print("decided; waiting for the last answers and callbacks…", flush=True)
    await asyncio.wait_for(asyncio.gather(*waiting), 120)
    deadline = time.monotonic() + 60
    while len(receiver.arrived) < len(filed) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)

    async def report(request_id: str, token: str):
        async with gate:
            headers = {"Authorization": f"Token {token}"}
            body = {"outcome": "succeeded", "detail": "Done by the bench agent."}
            for _ in range(2):  # a retry
                await agents[token].send(
                    "POST", f"/api/v1/approval-requests/{request_id}/result/", json=body, headers=headers
                )

    await asyncio.gather(*(report(request_id, token) for request_id, token in filed))
    for each in (*approvers, *agents.values()):
        await each.client.aclose()
    return {
        "filed": [request_id for request_id, _ in filed],
        "filing": filing,
        "mismatched": mismatched,
        "poll_errors": poll_errors,
        "answer": [max(answered[r] - decided[r], 0.0) for r in decided],
        "early": sum(answered[r] < decided[r] for r in decided),
        # late answers whose poll was sent after the decision: the agent was between polls (a wait ran out)
        "late_repolled": sum(answered[r] - decided[r] > 1 and last_poll_sent[r] > decided[r] for r in decided),
        "late": sum(answered[r] - decided[r] > 1 for r in decided),
        "callback": [receiver.arrived[r] - decided[r] for r in decided if r in receiver.arrived],
        "decided_per_second": len(decided) / deciding,
        "settling": settling,
        "settled_quietly": quiet,
        "dropped": sum(each.dropped for each in (*approvers, *agents.values())),
        "refused": sum(each.refused for each in (*approvers, *agents.values())),
    }


def counts(filed: list[str]) -> dict:
    """What the database holds for the run's requests: each filed once, decided once, its outcome recorded once."""
    from django.db.models import Count, Q

    from hitl.models import ApprovalRequest, DecisionCallback, HITLApproval

    approvals = HITLApproval.objects.filter(pk__in=filed).annotate(
        decision_count=Count("decisions", distinct=True),
        approved_count=Count("history", filter=Q(history__event_type="approved"), distinct=True),
        executed_count=Count("history", filter=Q(history__event_type="executed"), distinct=True),
    )
    rows = list(approvals.values_list("decision_count", "approved_count", "executed_count"))
    callbacks = DecisionCallback.objects.filter(request__approval_id__in=filed)
    return {
        "approvals": len(rows),
        "requests": ApprovalRequest.objects.filter(approval_id__in=filed).count(),
        "decided_twice": sum(d != 1 or a != 1 for d, a, _ in rows),
        "executed_twice": sum(e > 1 for *_, e in rows),
        "not_executed": sum(e == 0 for *_, e in rows),
        "callbacks_undelivered": callbacks.exclude(status="delivered").count(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--deciders", type=int, default=8)
    parser.add_argument("--pool", type=int, default=20, help="each daphne's database pool (DATABASE_POOL_MAX)")
    parser.add_argument("--web", type=int, default=1, help="daphne processes; agents and approvers spread over them")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()

    ports = [free_port() for _ in range(args.web)]
    env = env_for(args, ports[0])
    setup_django(env)
    vacuum_database()
    prepared = prepare(args.agents)
    logs = Path(tempfile.mkdtemp(prefix="approval-desk-bench-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; logs in {logs}")

    async def measured(phases: Phases):
        receiver = Receiver()
        server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
        callback_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/walker/decisions"
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        bare = await bare_p50(bases[0], prepared["decider"])
        async with server:
            result = await run(bases, prepared, args, receiver, callback_url, phases)
        return bare, result, receiver.duplicates

    with contextlib.ExitStack() as running:  # each started on entry, stopped on exit
        worker = running.enter_context(Worker(env, 2, logs / "worker.log"))
        daphnes = [running.enter_context(Daphne(env, port, logs / f"daphne-{n}.log")) for n, port in enumerate(ports)]
        phases = Phases(
            {
                "daphne": lambda: sum(each.cpu_seconds() for each in daphnes),
                "worker": worker.cpu_seconds,
                "postgres": postgres_cpu_seconds,
            }
        )
        bare, result, duplicate_callbacks = asyncio.run(measured(phases))
    found = counts(result["filed"])
    ms = 1000
    print(f"requests {args.requests} from {args.agents} agents, {args.deciders} deciders, {args.web} daphne "
          f"process(es), pool {args.pool} each")  # fmt: skip
    print(f"bare API view p50 (c=16): {bare * ms:.1f} ms")
    print(f"filing p50: {statistics.median(result['filing']) * ms:.1f} ms; retried POSTs answered otherwise: "
          f"{result['mismatched']}")  # fmt: skip
    print(f"requests sent again after a dropped connection: {result['dropped']}; after a 429 or 5xx: "
          f"{result['refused']}")  # fmt: skip
    if result["settled_quietly"]:
        print(f"every first long poll taken in {result['settling']:.1f} s after the last filing")
    else:
        print(f"reads still over 100 ms {result['settling']:.0f} s after the last filing: decided in that state")
    print(f"decisions through the API: {result['decided_per_second']:.1f}/s; long polls answered with an error: "
          f"{result['poll_errors']}")  # fmt: skip
    print(f"decision -> long-poll answer: p50 {pct(result['answer'], 0.5) * ms:.0f} ms, "
          f"p99 {pct(result['answer'], 0.99) * ms:.0f} ms ({result['early']} answered before the approve call's own "
          "answer arrived, counted as 0)")  # fmt: skip
    print(f"answered over 1 s after the decision: {result['late']}, of which by a poll sent after the decision "
          f"(the agent between two waits): {result['late_repolled']}")  # fmt: skip
    print(f"decision -> callback: p50 {pct(result['callback'], 0.5) * ms:.0f} ms, "
          f"p99 {pct(result['callback'], 0.99) * ms:.0f} ms; {len(result['callback'])} arrived, "
          f"{duplicate_callbacks} twice")  # fmt: skip
    print(f"database: {found}")
    print("\n".join(phases.lines()))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
