"""Channel-layer soak: 500 sockets on the Redis layer for 30 s, counting every message lost and socket dropped.

    .venv/bin/python bench/layer_soak.py                 # config.settings' layer: must pass (exit 0)
    .venv/bin/python bench/layer_soak.py --defaults      # channels-redis defaults: shows what breaks
    .venv/bin/python bench/layer_soak.py --layer pubsub  # RedisPubSubChannelLayer, same soak
    .venv/bin/python bench/layer_soak.py --throughput    # group messages/s per process, each layer

Starts daphne (bench.echo_asgi:application) on 127.0.0.1 with REDIS_URL database
1, opens --clients sockets on /ws/echo/ at once (each joins a group of its own
and one shared group), then for --duration seconds sends numbered messages:

  pub    this process (a second process on the same layer, as a Celery worker or
         another daphne would be) group_sends to each socket's own group, every
         --pub-period seconds per socket, spread evenly (500 sockets / 5 s = 100/s);
  bcast  every --bcast-period seconds it group_sends one message to the shared
         group (fan-out to every socket);
  echo   every --burst-period seconds all sockets send a frame at the same moment,
         which the echo consumer group_sends back to its own group: a burst of
         --clients group_sends inside daphne, like every conversation getting an
         event at once.

Then it stays quiet for --quiet seconds (longer than the layer's 5 s blocking
pop, so a socket timeout that races it shows), sends one last round (a pub to
every socket, a bcast, an echo burst) and waits for stragglers. Each socket
checks it gets every number of every stream once, in order. The totals (sent,
received, lost, duplicated; sockets refused or closed by the server, with close
codes; errors in the publisher and group_sends channels-redis dropped over
capacity; the deepest per-process queue seen in Redis; daphne's Redis
connections; failure signs in daphne's log) are printed, and the exit status is
1 on any loss or drop.
"""

import argparse
import asyncio
import collections
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_bench import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    ROOT,
    Daphne,
    HandshakeRefused,
    WebSocket,
    WSClosed,
    bench_env,
    clean_layer_keys,
    free_port,
    log_summary,
    machine_line,
    setup_django,
)

STREAMS = ("pub", "bcast", "echo")
LAYER_LABELS = {
    "settings": "config.settings",
    "defaults": "channels-redis defaults",
    "queue": "RedisChannelLayer, capacity 1000, max_connections 1000, socket_timeout 15",
    "without-capacity": "queue without capacity (default 100)",
    "without-max-connections": "queue without max_connections (redis-py default 100)",
    "without-socket-timeout": "queue without socket_timeout (redis-py default 5 s)",
    "pubsub": "RedisPubSubChannelLayer",
}


class OverCapacityCounter(logging.Handler):
    """Counts channels-redis' "N of M channels over capacity" notes: group_sends it dropped without an error."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.dropped = 0

    def emit(self, record):
        if "over capacity" in record.getMessage():
            self.dropped += int(str(record.args[0])) if record.args else 1


def count_publisher_drops() -> OverCapacityCounter:
    counter = OverCapacityCounter()
    logger = logging.getLogger("channels_redis.core")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # counted, not printed line by line
    return counter


class SoakClient:
    def __init__(self, index: int, group: str):
        self.index, self.group = index, group
        self.ws = None
        self.next = dict.fromkeys(STREAMS, 0)  # next number expected per stream
        self.got = collections.Counter()  # distinct numbers received per stream
        self.gaps = collections.Counter()  # numbers skipped (seen later ones first)
        self.dupes = collections.Counter()  # numbers received again or out of order
        self.echo_sent = 0
        self.pub_next = 0  # next pub number for this socket
        self.pub_sent = 0  # group_sends to this socket's group that the publisher completed
        self.closed_code = None
        self.closed_at = None
        self.reader = None

    def on_frame(self, frame: dict):
        stream, n = frame.get("type"), frame.get("n")
        if stream not in STREAMS or not isinstance(n, int):
            return
        expected = self.next[stream]
        if n >= expected:
            self.gaps[stream] += n - expected
            self.next[stream] = n + 1
            self.got[stream] += 1
        else:
            self.dupes[stream] += 1

    async def read(self, started: float):
        try:
            while True:
                self.on_frame(await self.ws.recv())
        except WSClosed as err:
            if not self.ws.closing:
                self.closed_code, self.closed_at = err.code, time.monotonic() - started


async def backlog_sampler(redis_url: str, peak: dict, stop: asyncio.Event):
    """Deepest per-process message queue of RedisChannelLayer (sorted sets asgispecific.<process>!)."""
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    try:
        while not stop.is_set():
            async for key in client.scan_iter(match="asgispecific.*", count=1000):
                depth = await client.zcard(key)
                if depth > peak["depth"]:
                    peak["depth"], peak["at"] = depth, time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
    finally:
        await client.aclose()


async def kill_daphne_redis_connections(redis_url: str, daphne) -> int:
    """CLIENT KILL every Redis connection of our daphne (and only those): a network blip, as Redis sees it."""
    from redis import asyncio as aioredis

    ports = set(daphne.redis_ports(urlsplit(redis_url).port or 6379))
    client = aioredis.Redis.from_url(redis_url)
    killed = 0
    try:
        for info in await client.client_list():
            if info.get("addr", "").startswith("127.0.0.1:") and int(info["addr"].rsplit(":", 1)[1]) in ports:
                killed += await client.client_kill_filter(_id=info["id"])
    finally:
        await client.aclose()
    return killed


async def soak(args, port: int, daphne) -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    drops = count_publisher_drops()
    run = uuid.uuid4().hex[:8]
    shared = f"soak.{run}.all"
    clients = [SoakClient(i, f"soak.{run}.{i}") for i in range(args.clients)]
    refused = collections.Counter()
    pub_errors = collections.Counter()
    bcast_sent = 0
    started = time.monotonic()

    # 1. all sockets at once
    async def connect(c: SoakClient):
        try:
            c.ws = await WebSocket.connect("127.0.0.1", port, f"/ws/echo/?group={c.group}&group={shared}", args.timeout)
            first = await c.ws.recv(args.timeout)
            if first.get("type") != "ready":
                raise HandshakeRefused(f"first frame {first!r}")
            c.reader = asyncio.create_task(c.read(started))
        except (WSClosed, OSError, TimeoutError, HandshakeRefused) as err:
            refused[f"closed {err.code}" if isinstance(err, WSClosed) else type(err).__name__] += 1
            if c.ws is not None:
                await c.ws.close()
            c.ws = None

    print(f"Opening {args.clients} sockets on /ws/echo/ at once ...", flush=True)
    t = time.monotonic()
    await asyncio.gather(*(connect(c) for c in clients))
    live = [c for c in clients if c.ws is not None]
    print(
        f"  {len(live)} open, {sum(refused.values())} refused {dict(refused) or ''} in {time.monotonic() - t:.1f}s",
        flush=True,
    )

    peak = {"depth": 0, "at": None}
    stop_sampler = asyncio.Event()
    sampler = asyncio.create_task(backlog_sampler(args.redis_url, peak, stop_sampler))
    sem = asyncio.Semaphore(args.concurrency)

    async def publish(group, frame, client=None):
        nonlocal bcast_sent
        async with sem:
            try:
                await layer.group_send(group, {"type": "echo.frame", "frame": frame})
            except Exception as err:  # counted: a publisher that cannot send is a failure too
                pub_errors[type(err).__name__] += 1
                return
        if client is not None:
            client.pub_sent += 1
        else:
            bcast_sent += 1

    bcast_next = 0

    def pub_round(targets, bcast: bool):
        nonlocal bcast_next
        sends = []
        for c in targets:
            sends.append(publish(c.group, {"type": "pub", "n": c.pub_next}, c))
            c.pub_next += 1
        if bcast:
            sends.append(publish(shared, {"type": "bcast", "n": bcast_next}))
            bcast_next += 1
        return asyncio.gather(*sends)

    async def echo_burst():
        """Every open socket sends its next echo frame at the same moment."""
        for c in clients:
            if c.ws is not None and c.ws.close_code is None:
                c.ws._write_frame(0x1, json.dumps({"type": "echo", "n": c.echo_sent}).encode())
                c.echo_sent += 1
        await asyncio.gather(*(c.ws.writer.drain() for c in clients if c.ws is not None), return_exceptions=True)

    ticks = max(1, round(args.duration))
    cpu0 = daphne.cpu_seconds() if daphne else float("nan")
    load_start = time.monotonic()
    slowest_round = 0.0
    n = len(clients)
    offered = n / args.pub_period + 1 / args.bcast_period + len(live) / args.burst_period
    print(
        f"Load for {ticks}s: each socket gets a pub message every {args.pub_period:g}s ({n / args.pub_period:.0f}/s), "
        f"a bcast to all every {args.bcast_period:g}s, and every {args.burst_period:g}s all sockets echo at once "
        f"(a burst of {len(live)} group_sends in daphne): ~{offered:.0f} group messages/s on average ...",
        flush=True,
    )
    dropped_connections = None
    for t in range(ticks):
        if args.drop_redis_at is not None and dropped_connections is None and t >= args.drop_redis_at:
            dropped_connections = await kill_daphne_redis_connections(args.redis_url, daphne)
            print(
                f"  t={time.monotonic() - load_start:5.1f}s: killed daphne's {dropped_connections} Redis connections",
                flush=True,
            )
        tick_at = load_start + t
        await asyncio.sleep(max(0.0, tick_at - time.monotonic()))
        t0 = time.monotonic()
        await pub_round(
            [c for c in clients if c.index % args.pub_period == t % args.pub_period], t % args.bcast_period == 0
        )
        slowest_round = max(slowest_round, time.monotonic() - t0)
        if t % args.burst_period == args.burst_period // 2:
            await asyncio.sleep(max(0.0, tick_at + 0.5 - time.monotonic()))
            await echo_burst()
        if t % 5 == 4 or t == ticks - 1:
            got = sum(sum(c.got.values()) for c in clients)
            closed = sum(1 for c in clients if c.closed_code is not None)
            print(
                f"  t={time.monotonic() - load_start:5.1f}s: received {got:,} frames, {closed} sockets closed, "
                f"publisher errors {sum(pub_errors.values())}, deepest process queue {peak['depth']}",
                flush=True,
            )
    await asyncio.sleep(max(0.0, load_start + ticks - time.monotonic()))
    load_elapsed = time.monotonic() - load_start
    daphne_cpu = (daphne.cpu_seconds() - cpu0) / load_elapsed if daphne else float("nan")

    if args.quiet:
        print(f"Quiet for {args.quiet:g}s (nothing sent) ...", flush=True)
        await asyncio.sleep(args.quiet)
    print("Last round after the quiet spell: a pub to every socket, a bcast, an echo burst ...", flush=True)
    await pub_round(clients, True)
    await asyncio.sleep(0.5)
    await echo_burst()

    def outstanding():
        missing = 0
        for c in clients:
            if c.ws is None or c.closed_code is not None:
                continue
            missing += max(0, c.pub_sent - c.got["pub"]) + max(0, bcast_sent - c.got["bcast"])
            missing += max(0, c.echo_sent - c.got["echo"])
        return missing

    deadline = time.monotonic() + args.drain
    while outstanding() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    stop_sampler.set()
    await sampler

    # tally before closing, so our own close is never counted
    totals = {"sockets": args.clients, "open": len(live), "refused": dict(refused)}
    closed = [c for c in clients if c.closed_code is not None]
    totals["closed_by_server"] = len(closed)
    totals["close_codes"] = dict(collections.Counter(c.closed_code for c in closed))
    totals["first_closes_s"] = sorted(round(c.closed_at, 1) for c in closed)[:10]
    streams = {}
    for stream in STREAMS:
        if stream == "pub":
            sent = sum(c.pub_sent for c in clients if c.ws is not None)
        elif stream == "bcast":
            sent = bcast_sent * len(live)
        else:
            sent = sum(c.echo_sent for c in clients)
        got = sum(c.got[stream] for c in clients)
        streams[stream] = {
            "sent": sent,
            "received": got,
            "lost": sent - got,
            "gaps": sum(c.gaps[stream] for c in clients),
            "duplicates": sum(c.dupes[stream] for c in clients),
            "lost_on_open_sockets": sum(
                max(
                    0,
                    (c.pub_sent if stream == "pub" else bcast_sent if stream == "bcast" else c.echo_sent)
                    - c.got[stream],
                )
                for c in clients
                if c.ws is not None and c.closed_code is None
            ),
        }
    totals["streams"] = streams
    totals["publisher_errors"] = dict(pub_errors)
    totals["killed_redis_connections"] = dropped_connections
    totals["publisher_over_capacity"] = drops.dropped
    totals["publisher_slowest_round_s"] = round(slowest_round, 2)
    totals["deepest_process_queue"] = peak["depth"]
    totals["daphne_redis_connections"] = (
        daphne.redis_connections(urlsplit(args.redis_url).port or 6379) if daphne else -1
    )
    totals["daphne_cpu_during_load"] = daphne_cpu
    totals["group_messages_per_s"] = offered

    await asyncio.gather(*(c.ws.close() for c in clients if c.ws is not None), return_exceptions=True)
    for c in clients:
        if c.reader:
            c.reader.cancel()
    return totals


def print_totals(args, totals: dict, signs: dict) -> bool:
    print()
    print(f"== Soak result ({args.layer_label}) ==")
    closes = ""
    if totals["closed_by_server"]:
        closes = f" (close codes {totals['close_codes']}, first at {totals['first_closes_s']} s after opening)"
    print(
        f"sockets: {totals['sockets']} asked, {totals['open']} opened, refused {totals['refused'] or 0}, "
        f"closed by the server during the run: {totals['closed_by_server']}{closes}"
    )
    print("| stream | sent | received | lost | gaps seen | duplicates | lost on sockets still open |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for stream, s in totals["streams"].items():
        print(
            f"| {stream} | {s['sent']:,} | {s['received']:,} | {s['lost']:,} | {s['gaps']:,} | {s['duplicates']:,} | "
            f"{s['lost_on_open_sockets']:,} |"
        )
    print(
        f"publisher group_sends dropped over capacity (channels-redis logs it at INFO, no error): "
        f"{totals['publisher_over_capacity']:,}"
    )
    print(
        f"publisher errors: {totals['publisher_errors'] or 0}; "
        f"slowest publish round {totals['publisher_slowest_round_s']}s"
    )
    print(f"deepest per-process queue in Redis: {totals['deepest_process_queue']}")
    print(f"daphne's Redis connections at the end (pool high-water mark): {totals['daphne_redis_connections']}")
    if totals["killed_redis_connections"] is not None:
        print(f"daphne's Redis connections killed during the load: {totals['killed_redis_connections']}")
    print(f"group messages/s offered during the load (average): {totals['group_messages_per_s']:,.0f}")
    print(f"daphne CPU during the load: {totals['daphne_cpu_during_load'] * 100:.0f}%")
    print(f"daphne log failure signs: {signs or 'none'}")
    print(f"Machine at the end: {machine_line()}")
    lost = sum(s["lost"] + s["duplicates"] for s in totals["streams"].values())
    dropped = totals["closed_by_server"] + sum(totals["refused"].values())
    ok = not lost and not dropped and not totals["publisher_errors"]
    print(
        f"RESULT: {'PASS' if ok else 'FAIL'}: {lost:,} messages lost or duplicated, "
        f"{dropped} connections dropped or refused"
    )
    return ok


# --- throughput: group messages/s one process moves through each layer ----------------------------


async def throughput_worker(seconds: float, workers: int) -> dict:
    """`workers` channels, each in a group of its own; each loops group_send -> receive. Closed loop."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    run = uuid.uuid4().hex[:8]
    channels = [await layer.new_channel() for _ in range(workers)]
    for i, ch in enumerate(channels):
        await layer.group_add(f"tp.{run}.{i}", ch)
    count = [0]
    errors = collections.Counter()
    stop_at = [0.0]

    async def loop(i, ch):
        group = f"tp.{run}.{i}"
        n = 0
        while time.monotonic() < stop_at[0]:
            try:
                await layer.group_send(group, {"type": "tp", "n": n})
                while True:
                    msg = await asyncio.wait_for(layer.receive(ch), 10)
                    if msg.get("n") == n:
                        break
            except Exception as err:
                errors[type(err).__name__] += 1
                await asyncio.sleep(0.01)
                continue
            n += 1
            count[0] += 1

    # warm up (connections, pools), then measure
    stop_at[0] = time.monotonic() + 1.0
    await asyncio.gather(*(loop(i, ch) for i, ch in enumerate(channels)))
    count[0] = 0
    errors.clear()
    cpu0, t0 = time.process_time(), time.monotonic()
    stop_at[0] = t0 + seconds
    await asyncio.gather(*(loop(i, ch) for i, ch in enumerate(channels)))
    elapsed = time.monotonic() - t0
    for i, ch in enumerate(channels):
        await layer.group_discard(f"tp.{run}.{i}", ch)
    return {
        "messages": count[0],
        "per_s": count[0] / elapsed,
        "cpu": (time.process_time() - cpu0) / elapsed,
        "errors": dict(errors),
    }


def run_throughput(args) -> int:
    print(f"Machine: {machine_line()}", flush=True)
    variants = [
        ("defaults", "RedisChannelLayer, channels-redis defaults"),
        ("queue", "RedisChannelLayer, capacity 1000, max_connections 1000, socket_timeout 15"),
        ("pubsub", "RedisPubSubChannelLayer"),
    ]
    rows = []
    for layer, label in variants:
        print(
            f"Throughput: {label}, {args.tp_workers} channels in their own groups, {args.tp_seconds:g}s ...", flush=True
        )
        cmd = [
            sys.executable,
            __file__,
            "--throughput-worker",
            "--layer",
            layer,
            "--redis-url",
            args.redis_url,
            "--tp-seconds",
            str(args.tp_seconds),
            "--tp-workers",
            str(args.tp_workers),
        ]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=args.tp_seconds + 120)
        if out.returncode:
            print(out.stderr[-3000:])
            rows.append((label, None))
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  {result['per_s']:,.0f} group messages/s, process CPU {result['cpu'] * 100:.0f}%, "
            f"errors {result['errors'] or 0}",
            flush=True,
        )
        rows.append((label, result))
    print()
    print("| layer | group messages/s (send + receive, one process) | process CPU | errors |")
    print("|---|---:|---:|---|")
    for label, r in rows:
        if r is None:
            print(f"| {label} | failed | | |")
        else:
            print(f"| {label} | {r['per_s']:,.0f} | {r['cpu'] * 100:.0f}% | {r['errors'] or 0} |")
    return 0


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int, default=500)
    p.add_argument("--duration", type=float, default=30.0, help="seconds of load (30)")
    p.add_argument("--pub-period", type=int, default=5, help="seconds between pub messages to one socket (5)")
    p.add_argument("--bcast-period", type=int, default=2, help="seconds between bcast messages (2)")
    p.add_argument("--burst-period", type=int, default=10, help="seconds between echo bursts of all sockets (10)")
    p.add_argument("--quiet", type=float, default=12.0, help="quiet seconds after the load, then one more round (12)")
    p.add_argument("--drain", type=float, default=20.0, help="seconds to wait for stragglers at the end (20)")
    p.add_argument(
        "--drop-redis-at",
        type=int,
        metavar="SECONDS",
        help="kill all of daphne's Redis connections this many seconds into the load (a Redis blip)",
    )
    p.add_argument("--concurrency", type=int, default=50, help="group_sends the publisher keeps in flight (50)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for a socket to open (30)")
    p.add_argument("--defaults", action="store_true", help="channels-redis defaults (same as --layer defaults)")
    p.add_argument(
        "--layer",
        choices=list(LAYER_LABELS),
        default="settings",
        help="settings: config.settings as is; the others through bench.settings_variants (see there)",
    )
    p.add_argument("--throughput", action="store_true", help="compare group messages/s per process of the layers")
    p.add_argument("--tp-seconds", type=float, default=10.0)
    p.add_argument(
        "--tp-workers", type=int, default=50, help="channels in the throughput test (50: under 100 in flight)"
    )
    p.add_argument("--throughput-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    p.add_argument("--log", help="daphne's log file (default: a temporary file)")
    args = p.parse_args(argv)
    if args.defaults:
        args.layer = "defaults"
    # config.settings itself for the configuration under test; the variants module only for the others
    args.settings = "config.settings" if args.layer == "settings" else "bench.settings_variants"
    args.layer_label = LAYER_LABELS[args.layer]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.throughput_worker:
        args.settings = "bench.settings_variants"
        setup_django(bench_env(args))
        print(json.dumps(asyncio.run(throughput_worker(args.tp_seconds, args.tp_workers))))
        return 0
    if args.throughput:
        return run_throughput(args)

    port = free_port()
    env = bench_env(args, port)
    if args.layer == "settings":
        env.pop("BENCH_LAYER", None)
    setup_django(env)  # this process publishes through the same layer configuration as daphne
    from django.conf import settings

    print(f"Machine: {machine_line()}", flush=True)
    print(f"Layer under test ({args.layer_label}): {settings.CHANNEL_LAYERS['default']}", flush=True)
    log_path = Path(args.log) if args.log else Path(tempfile.mkstemp(prefix="layer-soak-daphne-", suffix=".log")[1])
    clean_layer_keys(args.redis_url)
    with Daphne(env, port, log_path) as daphne:
        print(f"daphne pid {daphne.proc.pid} on 127.0.0.1:{port}, log {log_path}", flush=True)
        totals = asyncio.run(soak(args, port, daphne))
    signs = log_summary(log_path)
    print(f"daphne log: {log_path}")
    return 0 if print_totals(args, totals, signs) else 1


if __name__ == "__main__":
    sys.exit(main())
