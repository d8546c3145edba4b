"""Chat benchmark: N concurrent WebSocket clients against daphne, Walker's chat beside a bare echo socket.

    .venv/bin/python bench/chat_bench.py --clients 1,200,500 --messages 20,3,3

Starts daphne on 127.0.0.1 (bench.echo_asgi:application: the product plus
/ws/echo/) with the Redis channel layer on REDIS_URL database 1 and PostgreSQL
database walker_bench, or talks to one already running with --url (it must serve
bench.echo_asgi:application on the same database, with SECRET_KEY and
CHAT_RATE_LIMIT_PER_MINUTE as in bench_env(), since the tokens are signed here).
Through the production shape (bin/run-prod-shape started with BENCH_SECRETS and that
rate limit): `--url wss://127.0.0.1:8443 --only walker --nginx-log
var/prod-shape/nginx/access.log`, which also prints how many sockets each
websocket process served.
For each N:

  walker  N clients open /ws/chat/?token=... at once, wait for `history`, then each
          sends M messages ("How is my Summer Sale campaign doing?"), one at a
          time, timing send_message -> agent_response;
  echo    the same N clients open /ws/echo/ and send the same frames, timing the
          frame's return through the channel layer.

Before the first N, 20 clients send 3 messages each on both sockets, unmeasured
(--warmup). It prints p50/p95/p99 round trip, messages per second (answers /
wall time of the sending phase), failures (error frames, timeouts, closes,
refused connections), daphne's CPU a message and the Celery worker's CPU an
answer for both, and the walker/echo ratio. Benchmark users are
bench-<i>@acme.test in the demo tenant (created once, then reused); the chat
rate limit is raised for the run (CHAT_RATE_LIMIT_PER_MINUTE=100000).

Needs `manage.py migrate` and `manage.py seed_demo` on the benchmark database
first. The WebSocket client below is a minimal RFC 6455 client (text frames,
ping/pong, close), so the benchmark needs nothing beyond the project's own
requirements.
"""

import argparse
import asyncio
import base64
import collections
import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "How is my Summer Sale campaign doing?"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"  # never 0: the test suite flushes database 0
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/walker_bench"


# --- a minimal WebSocket client (RFC 6455) ------------------------------------------------------

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_CLOSED = object()


class WSClosed(Exception):
    def __init__(self, code):
        super().__init__(f"socket closed (code {code})")
        self.code = code


class HandshakeRefused(Exception):
    pass


# Fixed, benchmark-only secrets: with DEBUG=0 Walker needs them, and the same keys every run find the
# benchmark's own rows (emails and phones are looked up by keyed hash) again.
BENCH_SECRETS = {
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ENCRYPTION_KEYS": "YmVuY2gtb25seS1lbmNyeXB0aW9uLWtleS0wMTIzNDU=",  # base64 of 32 bench-only bytes
    "PII_HASH_KEY": "bench-only-pii-hash-key",
    "JWT_SIGNING_KEY": "bench-only-jwt-signing-key-not-for-production-0123456789",
}


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if not n:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(n, "little")


class WebSocket:
    """One client socket. Frames from the server are JSON-decoded into `frames` by a reader task."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.frames: asyncio.Queue = asyncio.Queue()
        self.close_code = None  # set when the socket is gone: the server's close code, or 1006
        self.closing = False  # we started the close
        self._task = asyncio.create_task(self._read_loop())

    @classmethod
    async def connect(
        cls, host: str, port: int, path: str, timeout: float = 30.0, tls: ssl.SSLContext | None = None
    ) -> "WebSocket":
        """`tls`: wss (through nginx in the production shape); None: plain ws to daphne."""
        connecting = asyncio.open_connection(host, port, limit=2**22, ssl=tls, server_hostname=host if tls else None)
        reader, writer = await asyncio.wait_for(connecting, timeout)
        try:
            key = base64.b64encode(os.urandom(16))
            writer.write(
                b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + f"{host}:{port}".encode() + b"\r\n"
                b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            status = head.split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                raise HandshakeRefused(status.decode(errors="replace"))
            expected = base64.b64encode(hashlib.sha1(key + _GUID).digest())
            if b"sec-websocket-accept: " + expected.lower() not in head.lower():
                raise HandshakeRefused("bad Sec-WebSocket-Accept")
        except BaseException:
            writer.close()
            raise
        return cls(reader, writer)

    def _write_frame(self, opcode: int, payload: bytes) -> None:
        if self.writer.is_closing():
            return
        n = len(payload)
        if n < 126:
            header = bytes((0x80 | opcode, 0x80 | n))
        elif n < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
        key = os.urandom(4)
        self.writer.write(header + key + _mask(payload, key))

    async def send_json(self, obj) -> None:
        if self.close_code is not None:
            raise WSClosed(self.close_code)
        self._write_frame(0x1, json.dumps(obj).encode())
        await self.writer.drain()

    async def recv(self, timeout: float | None = None):
        """The next JSON frame; raises WSClosed when the socket is gone, TimeoutError after `timeout`."""
        if self.frames.empty() and self.close_code is not None:
            raise WSClosed(self.close_code)
        item = await asyncio.wait_for(self.frames.get(), timeout) if timeout else await self.frames.get()
        if item is _CLOSED:
            raise WSClosed(self.close_code)
        return item

    async def _read_loop(self):
        read = self.reader.readexactly
        parts = []
        try:
            while True:
                b0, b1 = await read(2)
                opcode, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(await read(2), "big")
                elif n == 127:
                    n = int.from_bytes(await read(8), "big")
                key = await read(4) if b1 & 0x80 else None
                payload = await read(n) if n else b""
                if key:
                    payload = _mask(payload, key)
                if opcode == 0x9:  # ping
                    self._write_frame(0xA, payload)
                elif opcode == 0x8:  # close: answer it (unless we started it) and stop
                    self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                    if not self.closing:
                        self._write_frame(0x8, payload[:2])
                    break
                elif opcode in (0x0, 0x1, 0x2):
                    parts.append(payload)
                    if b0 & 0x80:
                        data, parts = b"".join(parts), []
                        self.frames.put_nowait(json.loads(data))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            if self.close_code is None:
                self.close_code = 1006  # gone without a close frame
            self.frames.put_nowait(_CLOSED)
            self.writer.close()

    async def close(self, code: int = 1000, timeout: float = 5.0) -> None:
        if self.close_code is None and not self.closing:
            self.closing = True
            self._write_frame(0x8, code.to_bytes(2, "big"))
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
        self.writer.close()


# --- environment and the daphne under test ------------------------------------------------------


def bench_env(args, port: int | None = None) -> dict:
    """Settings for daphne and for this process (same SECRET_KEY, so widget tokens check out)."""
    env = {
        "DJANGO_SETTINGS_MODULE": args.settings,
        "REDIS_URL": args.redis_url,
        "DATABASE_URL": args.database_url,
        "CHAT_RATE_LIMIT_PER_MINUTE": "100000",  # the benchmark sends far more than 20 a minute per user
        "AGENT_ENGINE": "builtin",  # no traffic leaves 127.0.0.1
        "WHATSAPP_PROVIDER": "console",
        "EMAIL_PROVIDER": "console",
        "DEBUG": "0",  # as in production (no query log)
        **BENCH_SECRETS,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port or 8000}",
        "LOG_LEVEL": "info",
        "PYTHONUNBUFFERED": "1",
    }
    if getattr(args, "layer", None):
        env["BENCH_LAYER"] = args.layer
    if getattr(args, "engine_sleep", None):
        env["BENCH_ENGINE_SLEEP"] = str(args.engine_sleep)
    return env


def apply_env(env: dict) -> None:
    for name in ("OPENAI_API_KEY", "LANGFLOW_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ.update(env)


def setup_django(env: dict):
    apply_env(env)
    import django

    django.setup()


def vacuum_database() -> None:
    """VACUUM ANALYZE the benchmark database, as autovacuum would between runs in production.

    This machine's PostgreSQL runs with autovacuum off (a CI setting), and every message rewrites its
    conversation row two to four times: after a few runs the 200 benchmark conversations carried some
    60,000 dead row versions and each run was slower than the last.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_layer_keys(redis_url: str) -> int:
    """Drop channel-layer keys left in the benchmark's Redis database by earlier runs (asgi:*)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        deleted = 0
        batch = []
        for key in client.scan_iter(match="asgi*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
        return deleted
    finally:
        client.close()


class Worker:
    """The Celery worker that answers (prefork, `concurrency` processes) on the same settings; stopped on exit."""

    def __init__(self, env: dict, concurrency: int, log_path: Path):
        self.env, self.concurrency, self.log_path = env, concurrency, log_path
        self.proc = None

    def __enter__(self):
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            # --purge: tasks an earlier run left on the benchmark's own broker database are not this run's.
            [celery, "-A", "config", "worker", "--pool=prefork", f"--concurrency={self.concurrency}", "--purge",
             "--without-gossip", "--without-mingle", "-l", "warning"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(3)  # the prefork children start
        if self.proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {self.proc.returncode}; see {self.log_path}")
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker's main process and its prefork children so far.

        A child that exited between two readings takes its time with it: the benchmark's worker never recycles
        children, so the set is the same from the first message to the last answer.
        """
        try:
            return sum(time.clock_gettime(_process_cpu_clock(pid)) for pid in (self.proc.pid, *self.children()))
        except OSError:  # a system without per-process CPU clocks, or a process gone
            return float("nan")

    def children(self) -> list[int]:
        """The prefork children's pids (Linux /proc: each process's parent is the 4th field of its stat)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # exited while listed
                continue
            if int(fields[1]) == self.proc.pid:
                found.append(int(stat.parent.name))
        return found

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.log.close()


@functools.cache
def _process_cpu_clock(pid: int) -> int:
    """The clock id of another process's CPU time (POSIX clock_getcpuclockid; Python has no wrapper)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    clock = ctypes.c_int()
    if (error := libc.clock_getcpuclockid(pid, ctypes.byref(clock))) != 0:
        raise OSError(error, os.strerror(error))
    return clock.value


class Daphne:
    """daphne on 127.0.0.1 with bench.echo_asgi:application; always stopped on exit."""

    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.proc = None

    def start(self, timeout: float = 60.0):
        daphne = shutil.which("daphne", path=str(Path(sys.executable).parent)) or "daphne"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)  # var/ is absent in a fresh clone
        self.log = open(self.log_path, "w")  # noqa: SIM115  (daphne writes to it until stop() closes it)
        self.proc = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(self.port), "bench.echo_asgi:application"],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches the benchmark, which stops daphne itself
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.proc.returncode}; see {self.log_path}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer /healthz within {timeout:.0f}s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """User + system CPU time daphne has used so far, to the nanosecond (its process CPU clock).

        /proc's counters tick every 10 ms: 20 messages at one client cost daphne about ten ticks, so
        its figure a message was ±10 % and the echo socket's (one or two ticks) ±50 %.
        """
        try:
            return time.clock_gettime(_process_cpu_clock(self.proc.pid))
        except OSError:  # a system without per-process CPU clocks, or daphne gone
            pass
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            return float("nan")

    def redis_ports(self, redis_port: int = 6379) -> list[int]:
        """Local ports of daphne's open TCP connections to Redis (Linux /proc)."""
        inodes = set()
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        ports = []
        for table in ("tcp", "tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{self.proc.pid}/net/{table}").read_text().splitlines()[1:]:
                    cols = line.split()
                    if int(cols[2].rsplit(":", 1)[1], 16) == redis_port and cols[9] in inodes:
                        ports.append(int(cols[1].rsplit(":", 1)[1], 16))
        return ports

    def redis_connections(self, redis_port: int = 6379) -> int:
        """How many connections daphne holds to Redis (its pools keep every connection they ever needed)."""
        try:
            return len(self.redis_ports(redis_port))
        except (OSError, AttributeError, ValueError):
            return -1

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def machine_line() -> str:
    """What else the machine was doing: the benchmarks share 2 cores with whatever else runs."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def log_summary(log_path: Path) -> dict[str, int]:
    """What daphne logged that matters here: crashed consumers, the exceptions that crashed them, drops."""
    import re

    exception_line = re.compile(r"^((?:redis|channels|channels_redis|psycopg|django)[\w.]*\.\w+)(?::|$)")
    counts = collections.Counter()
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return {}
    for line in text.splitlines():
        if "Exception inside application" in line:
            counts["Exception inside application"] += 1
        elif "channels over capacity in group" in line:
            counts["group_send over capacity (dropped)"] += 1
        else:
            match = exception_line.match(line)
            if match:
                counts[match.group(1)] += 1
    return dict(counts)


# --- benchmark users ---------------------------------------------------------------------------


def prepare_users(count: int) -> list[str]:
    """Widget tokens for bench-0..count-1@acme.test in the demo tenant (created if missing)."""
    from channels_app.chat import verify
    from tenants.models import Tenant, User
    from tenants.roles import Role

    tenant = Tenant.objects.filter(slug="acme-outdoor").first()
    if tenant is None:
        raise SystemExit("The demo tenant is missing: run `manage.py migrate` and `manage.py seed_demo` first.")
    emails = [f"bench-{i}@acme.test" for i in range(count)]
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    users = []
    for email in emails:
        user = existing.get(email)
        if user is None:
            user = User.objects.create_user(email, None, tenant=tenant, role=Role.MEMBER, first_name="Bench")
        users.append(user)
    _settle_backlog(users)
    return [verify.issue(user).token for user in users]


def _settle_backlog(users) -> None:
    """Messages of the benchmark users that no worker answered (a run cut short, a profiling script that stored
    without publishing) count as answered: a new message would otherwise wait behind them all, in order."""
    from django.db.models import F

    from conversations.models import Conversation

    settled = Conversation.objects.filter(user__in=users, last_inbound_seq__gt=F("answered_seq")).update(
        answered_seq=F("last_inbound_seq"), answer_lease=None, answer_lease_until=None
    )
    if settled:
        print(f"Settled the unanswered backlog of {settled} benchmark conversations.", flush=True)


# --- one measurement ----------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    clients: int
    per_client: int
    rtts: list = field(default_factory=list)  # seconds
    errors: int = 0  # error frames answering our message
    timeouts: int = 0
    closes: int = 0  # sockets closed by the server (or dropped) during the run
    refused: int = 0  # connections that never got going (handshake, auth, history)
    close_codes: dict = field(default_factory=dict)
    connect_times: list = field(default_factory=list)
    elapsed: float = 0.0  # sending phase, first send to last answer
    daphne_cpu: float = float("nan")  # daphne CPU seconds / elapsed
    daphne_cpu_seconds: float = float("nan")
    worker_cpu_seconds: float = float("nan")  # the Celery worker's, walker runs only (the echo never reaches it)
    probe_rtts: list = field(default_factory=list)  # another socket's echo while this run was going on
    client_cpu: float = float("nan")
    sample: str = ""

    @property
    def failures(self) -> int:
        return self.errors + self.timeouts + self.closes + self.refused

    def pct(self, q: float) -> float:
        if not self.rtts:
            return float("nan")
        ordered = sorted(self.rtts)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))] * 1000

    @property
    def cpu_ms_per_message(self) -> float:
        return self.daphne_cpu_seconds * 1000 / len(self.rtts) if self.rtts else float("nan")

    @property
    def worker_cpu_ms_per_answer(self) -> float:
        return self.worker_cpu_seconds * 1000 / len(self.rtts) if self.rtts else float("nan")

    def probe_pct(self, q: float) -> float:
        if not self.probe_rtts:
            return float("nan")
        ordered = sorted(self.probe_rtts)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))] * 1000

    @property
    def rate(self) -> float:
        return len(self.rtts) / self.elapsed if self.elapsed else 0.0


async def probe(host, port, result: Result, stop: asyncio.Event, every: float = 0.05, tls=None):
    """One more socket on /ws/echo/, round-tripping a frame every `every` seconds until `stop`."""
    ws = await WebSocket.connect(host, port, "/ws/echo/", 30, tls)
    await ws.recv(30)  # ready
    n = 0
    try:
        while not stop.is_set():
            n += 1
            t0 = time.perf_counter()
            await ws.send_json({"type": "probe", "client_msg_id": f"probe-{n}"})
            while (await ws.recv(30)).get("client_msg_id") != f"probe-{n}":
                pass
            result.probe_rtts.append(time.perf_counter() - t0)
            await asyncio.sleep(every)
    finally:
        await ws.close()


async def run_clients(
    kind, host, port, paths, per_client, timeout, daphne=None, progress=True, with_probe=False, tls=None, worker=None
) -> Result:
    """Open every path at once, wait until all are ready, then each sends `per_client` messages in turn.

    Daphne's CPU (and the worker's, given `worker`) is counted from the first message sent to the last
    answer in: every socket stays open until then (closing 200 sockets is no answered message's work),
    and the probe socket, whose frames daphne also handles, runs only with `with_probe`.
    """
    n = len(paths)
    result = Result(kind, n, per_client)
    ready_event, go, all_answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
    ready = [0]
    done = [0]
    finished = [0]
    cpu_end = []
    start = time.perf_counter()  # again when the messages start

    def count_finished():
        finished[0] += 1
        if finished[0] == n:
            result.elapsed = time.perf_counter() - start
            cpu_end.append(daphne.cpu_seconds() if daphne else float("nan"))
            cpu_end.append(worker.cpu_seconds() if worker else float("nan"))
            all_answered.set()

    def count_ready():
        ready[0] += 1
        if ready[0] == n:
            ready_event.set()

    async def client(index: int, path: str):
        started = time.perf_counter()
        ws = None
        try:
            try:
                ws = await WebSocket.connect(host, port, path, timeout, tls)
                first = await ws.recv(timeout)
                want = "history" if kind == "walker" else "ready"
                if first.get("type") != want:
                    raise HandshakeRefused(f"first frame {first.get('type')!r}")
            except (OSError, TimeoutError, HandshakeRefused, WSClosed) as err:
                result.refused += 1
                if isinstance(err, WSClosed):
                    result.close_codes[err.code] = result.close_codes.get(err.code, 0) + 1
                return
            finally:
                count_ready()
            result.connect_times.append(time.perf_counter() - started)
            await go.wait()
            for m in range(per_client):
                msg_id = f"{kind}-{index}-{m}-{time.time_ns()}"
                frame = {"type": "send_message", "message": QUESTION, "client_msg_id": msg_id}
                t0 = time.perf_counter()
                await ws.send_json(frame)
                deadline = t0 + timeout
                while True:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        raise TimeoutError
                    reply = await ws.recv(left)
                    kind_ = reply.get("type")
                    if kind == "echo" and reply.get("client_msg_id") == msg_id:
                        break
                    if kind == "walker" and kind_ == "agent_response":
                        if not result.sample:
                            result.sample = reply.get("text", "")[:100]
                        break
                    if kind_ == "error" and reply.get("client_msg_id") in (msg_id, None):
                        result.errors += 1
                        reply = None
                        break
                if reply is not None:
                    result.rtts.append(time.perf_counter() - t0)
                done[0] += 1
        except TimeoutError:
            result.timeouts += 1
        except WSClosed as err:
            result.closes += 1
            result.close_codes[err.code] = result.close_codes.get(err.code, 0) + 1
        except (OSError, ConnectionError):
            result.closes += 1
            result.close_codes[1006] = result.close_codes.get(1006, 0) + 1
        finally:
            count_finished()
            await all_answered.wait()
            if ws is not None:
                await ws.close()

    async def reporter(total):
        while True:
            await asyncio.sleep(3)
            print(
                f"    {kind:6} N={n:<4} answered {done[0]}/{total}  errors {result.errors}  "
                f"timeouts {result.timeouts}  closes {result.closes}  refused {result.refused}",
                flush=True,
            )

    tasks = [asyncio.create_task(client(i, p)) for i, p in enumerate(paths)]
    await asyncio.wait_for(ready_event.wait(), timeout * 3)
    cpu0 = daphne.cpu_seconds() if daphne else float("nan")
    worker_cpu0 = worker.cpu_seconds() if worker else float("nan")
    client_cpu0 = time.process_time()
    start = time.perf_counter()
    go.set()
    report = asyncio.create_task(reporter(n * per_client)) if progress else None
    probe_stop = asyncio.Event()
    prober = asyncio.create_task(probe(host, port, result, probe_stop, tls=tls)) if with_probe else None
    await asyncio.gather(*tasks)
    if prober:
        probe_stop.set()
        with contextlib.suppress(Exception):
            await prober
    if report:
        report.cancel()
    if daphne:
        result.daphne_cpu_seconds = cpu_end[0] - cpu0
        result.daphne_cpu = result.daphne_cpu_seconds / result.elapsed
    result.worker_cpu_seconds = cpu_end[1] - worker_cpu0 if worker else float("nan")
    result.client_cpu = (time.process_time() - client_cpu0) / result.elapsed
    return result


# --- output ------------------------------------------------------------------------------------


def fmt(x, digits=1):
    return "-" if x != x else f"{x:,.{digits}f}"  # NaN -> "-"


def failures_text(r: Result) -> str:
    parts = []
    for name in ("errors", "timeouts", "closes", "refused"):
        if getattr(r, name):
            parts.append(f"{getattr(r, name)} {name}")
    if r.close_codes:
        parts.append("codes " + ",".join(f"{c}x{k}" for c, k in sorted(r.close_codes.items())))
    return "; ".join(parts) or "0"


def socket_spread(log_path: str, offset: int) -> str:
    """How many /ws/chat/ sockets each upstream served, from the lines nginx wrote after `offset` (a socket's line is
    written when it closes; the last field is the upstream's address: deploy/nginx/walker.conf.template)."""
    with open(log_path, "rb") as log:
        log.seek(offset)
        lines = log.read().decode(errors="replace").splitlines()
    served = collections.Counter(line.rsplit(" ", 1)[-1] for line in lines if '"GET /ws/chat/' in line)
    return ", ".join(f"{upstream} {count}" for upstream, count in sorted(served.items())) or "none"


def print_table(results: list[tuple[Result, Result]]):
    head = (
        "| N | run | messages | p50 ms | p95 ms | p99 ms | msg/s | failures | daphne CPU | daphne CPU ms/msg "
        "| worker CPU ms/answer | client CPU | probe p50/p99 ms |\n"
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
    )
    rows = [head]
    ratios = [
        "| N | p50 walker/echo | p95 walker/echo | p99 walker/echo | msg/s echo/walker | daphne CPU/msg walker/echo |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for walker, echo in results:
        for r in (walker, echo):
            if r is None:
                continue
            rows.append(
                f"| {r.clients} | {r.kind} | {len(r.rtts)}/{r.clients * r.per_client} | {fmt(r.pct(50))} | "
                f"{fmt(r.pct(95))} | {fmt(r.pct(99))} | {fmt(r.rate)} | {failures_text(r)} | "
                f"{fmt(r.daphne_cpu * 100, 0)}% | {fmt(r.cpu_ms_per_message, 2)} | "
                f"{fmt(r.worker_cpu_ms_per_answer, 2)} | {fmt(r.client_cpu * 100, 0)}% | "
                f"{fmt(r.probe_pct(50))}/{fmt(r.probe_pct(99))} |"
            )
        if walker and echo and echo.rtts and walker.rtts:
            ratios.append(
                f"| {walker.clients} | {walker.pct(50) / echo.pct(50):,.1f}x | {walker.pct(95) / echo.pct(95):,.1f}x | "
                f"{walker.pct(99) / echo.pct(99):,.1f}x | {echo.rate / walker.rate:,.1f}x | "
                f"{walker.cpu_ms_per_message / echo.cpu_ms_per_message:,.1f}x |"
            )
    print("\n".join(rows))
    print()
    print("\n".join(ratios))


# --- main --------------------------------------------------------------------------------------


def int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int_list, default=[1, 200, 500], help="comma-separated client counts (1,200,500)")
    p.add_argument(
        "--messages",
        type=int_list,
        default=[20, 3, 3],
        help="messages per client, one value or one per --clients entry (20,3,3)",
    )
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a connection or an answer (60)")
    p.add_argument(
        "--url",
        help="use a server already running: daphne (ws://127.0.0.1:8000, serving bench.echo_asgi) or the production "
        "shape's nginx (wss://127.0.0.1:8443, its self-signed certificate unchecked; with --only walker)",
    )
    p.add_argument(
        "--nginx-log",
        help="with --url: nginx's access log (bin/run-prod-shape: var/prod-shape/nginx/access.log), to count the chat "
        "sockets each websocket process served during the run",
    )
    p.add_argument("--only", choices=["walker", "echo"], help="run one side only")
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    p.add_argument(
        "--settings",
        default="config.settings",
        help="DJANGO_SETTINGS_MODULE for daphne and the token helper (config.settings; bench.settings_variants "
        "with --layer)",
    )
    p.add_argument(
        "--layer",
        choices=[
            "settings",
            "defaults",
            "queue",
            "pubsub",
            "without-capacity",
            "without-max-connections",
            "without-socket-timeout",
        ],
        help="BENCH_LAYER for bench.settings_variants (a channel-layer variant; see that module)",
    )
    p.add_argument("--log", help="daphne's log file (default: a temporary file, kept and named at the end)")
    p.add_argument(
        "--worker-concurrency", type=int, default=2, help="processes of the Celery worker that answers (prefork, 2)"
    )
    p.add_argument(
        "--engine-sleep", type=float, help="answers from bench.sleepy_engine: the built-in engine after this many s"
    )
    p.add_argument(
        "--probe",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the probe socket during the walker run (default: with --engine-sleep only; its frames are "
        "daphne's work too, so it is left out of the CPU per message otherwise)",
    )
    p.add_argument(
        "--warmup",
        type=int,
        help="clients that each send 3 messages, unmeasured, on both sockets before the first measurement: a new "
        "daphne's first messages also open its database and broker connections and fill its caches (default 20; "
        "0 with --engine-sleep, which measures the probe, not CPU)",
    )
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = 0 if args.engine_sleep else 20
    if args.probe is None:
        args.probe = bool(args.engine_sleep)
    if (args.layer or args.engine_sleep) and args.settings == "config.settings":
        args.settings = "bench.settings_variants"
    if len(args.messages) == 1:
        args.messages = args.messages * len(args.clients)
    if len(args.messages) != len(args.clients):
        p.error("--messages takes one value or one per --clients entry")
    return args


async def run_all(args, host, port, tokens, daphne, tls=None, worker=None):
    if args.warmup:
        count = min(args.warmup, len(tokens))
        print(f"  warm-up: {count} clients x 3 messages on each socket, not measured ...", flush=True)
        if args.only != "echo":
            await run_clients("walker", host, port, [f"/ws/chat/?token={t}" for t in tokens[:count]], 3, args.timeout,
                              daphne, with_probe=False, tls=tls)  # fmt: skip
        if args.only != "walker":
            await run_clients("echo", host, port, ["/ws/echo/"] * count, 3, args.timeout, daphne, tls=tls)
        await asyncio.sleep(2)
    results = []
    for n, m in zip(args.clients, args.messages, strict=True):
        walker = echo = None
        if args.only != "echo":
            print(f"  walker: {n} clients x {m} messages on /ws/chat/ ...", flush=True)
            paths = [f"/ws/chat/?token={tokens[i]}" for i in range(n)]
            walker = await run_clients(
                "walker", host, port, paths, m, args.timeout, daphne, with_probe=args.probe, tls=tls, worker=worker
            )
            print(f"    done in {walker.elapsed:.1f}s; sample answer: {walker.sample!r}", flush=True)
            await asyncio.sleep(2)  # let disconnects settle before the next measurement
        if args.only != "walker":
            print(f"  echo:   {n} clients x {m} messages on /ws/echo/ ...", flush=True)
            echo = await run_clients("echo", host, port, ["/ws/echo/"] * n, m, args.timeout, daphne, tls=tls)
            print(f"    done in {echo.elapsed:.1f}s", flush=True)
            await asyncio.sleep(2)
        results.append((walker, echo))
    return results


def main(argv=None):
    args = parse_args(argv)
    tls = None
    if args.url:
        parts = urlsplit(args.url)
        secure = parts.scheme in ("wss", "https")
        host, port = parts.hostname, parts.port or (443 if secure else 80)
        if secure:  # the production shape's nginx, with the run's self-signed certificate: loopback only (below)
            tls = ssl.create_default_context()
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
    else:
        host, port = "127.0.0.1", free_port()
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The benchmark only talks to 127.0.0.1.")
    env = bench_env(args, port)
    setup_django(env)
    print(f"Machine: {machine_line()}", flush=True)
    print(f"Preparing {max(args.clients)} benchmark users ...", flush=True)
    tokens = prepare_users(max(args.clients))
    print(
        f"Layer: {args.settings}{' (' + args.layer + ')' if args.layer else ''}; Redis {args.redis_url}; "
        f"PostgreSQL {args.database_url}",
        flush=True,
    )
    from django.conf import settings

    print(f"CHANNEL_LAYERS = {settings.CHANNEL_LAYERS['default']}", flush=True)
    vacuum_database()
    from django.db import connections

    connections.close_all()

    if args.url:
        nginx_log_start = Path(args.nginx_log).stat().st_size if args.nginx_log else 0
        results = asyncio.run(run_all(args, host, port, tokens, None, tls))
        if args.nginx_log:
            print(f"Chat sockets per websocket process (nginx): {socket_spread(args.nginx_log, nginx_log_start)}")
    else:
        log_path = Path(args.log) if args.log else Path(tempfile.mkstemp(prefix="chat-bench-daphne-", suffix=".log")[1])
        clean_layer_keys(args.redis_url)
        worker_log = log_path.with_name(log_path.stem + "-worker.log")
        with Worker(env, args.worker_concurrency, worker_log) as worker, Daphne(env, port, log_path) as daphne:
            print(
                f"daphne pid {daphne.proc.pid} on 127.0.0.1:{port}, log {log_path}; worker log {worker_log}", flush=True
            )
            results = asyncio.run(run_all(args, host, port, tokens, daphne, worker=worker))
        print(f"daphne log: {log_path}; failure signs: {log_summary(log_path) or 'none'}")
    print(f"Machine at the end: {machine_line()}")
    print()
    print_table(results)
    failed = sum(r.failures for pair in results for r in pair if r)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
