"""Walker in its production shape, for fault tests: real processes the test can kill, pause and restart.

- a Redis server of the test's own on a free loopback port (broker, channel layer, cache), so pausing it
  touches nobody else's tests;
- Celery workers and daphne serving config.asgi, on the test database, each in its own process group,
  so a SIGKILL takes a prefork worker's pool processes with it, as a crashed host would;
- the world outside Walker on one local HTTP server the test controls (`Outside`): an OpenAI-compatible
  engine (the product's OpenAI engine talks to it) and a tenant's action receiver;
- clients: the REST API over HTTP, the chat over the WebSocket protocol (docs/chat-protocol.md).
"""

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import redis
import websocket

from tests.quick_httpserver import POLL_SECONDS
from tests.workers import QUEUES, process_environment, wait_for

ROOT = Path(__file__).resolve().parents[2]
# AGENT_ENGINE_TIMEOUT of the processes: room for a fresh pool process's first answer on a busy machine; an
# answer's lease lasts 2 x 5 + 30 s, which a killed worker's message waits out.
ENGINE_TIMEOUT = 5
HOLD_LIMIT = 60.0  # a held request is answered after this long even if the test never releases it
STARTUP_SECONDS = 90.0  # two cores shared with other runs: a worker or daphne may take a while to come up
# Frames about the socket itself and the worker's progress: they carry the latest seq but are not stored events.
NOT_NUMBERED = {"history", "error", "user_typing", "conversation_started", "agent_typing", "agent_delta"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A server or worker in its own process group; its output goes to a log file the test can show."""

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path):
        self.name, self.log_path = name, log_path
        self._log = open(log_path, "w")  # noqa: SIM115  (closed by close())
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self) -> bool:
        raise NotImplementedError

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        def up():
            if not self.alive():
                raise AssertionError(f"{self.name} exited with {self.popen.returncode}:\n{self.output()[-3000:]}")
            return self.ready()

        wait_for(up, f"{self.name} to start", timeout=timeout)

    def kill(self) -> None:
        """SIGKILL to the whole process group (a prefork worker's pool processes too): no clean-up code runs,
        as when a host dies."""
        if self.popen.returncode is None:  # not reaped yet: its pid, and so its group's id, are still this one's
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def close(self) -> None:
        self.kill()
        self._log.close()


class RedisServer(Process):
    def __init__(self, log_path: Path):
        self.port = free_port()
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        super().__init__("redis-server", args, dict(os.environ), log_path)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url, socket_timeout=5)

    def ready(self) -> bool:
        with contextlib.suppress(redis.RedisError):
            return self.client.ping()
        return False

    @contextlib.contextmanager
    def paused(self):
        """Redis stops answering (SIGSTOP) without closing a connection, as a stalled server does, until the
        block ends (SIGCONT)."""
        self.popen.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.popen.send_signal(signal.SIGCONT)

    def pending_tasks(self) -> list[str]:
        """The names of the tasks waiting in the queues or held, unacknowledged, by a worker (a dead one's too)."""
        queued = [message for queue in QUEUES for message in self.client.lrange(queue, 0, -1)]
        held = [json.loads(value)[0] for value in self.client.hvals("unacked")]  # [message, exchange, routing key]
        return [json.loads(message)["headers"]["task"] for message in queued] + [m["headers"]["task"] for m in held]

    def unacked_since(self) -> float | None:
        """When the newest unacknowledged task was handed to a worker (Unix time), if any is."""
        newest = self.client.zrange("unacked_index", -1, -1, withscores=True)
        return newest[0][1] if newest else None


class Worker(Process):
    def ready(self) -> bool:
        return " ready." in self.output()


class Daphne(Process):
    def __init__(self, port: int, *args):
        self.port = port
        super().__init__(*args)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        return False


class Stack:
    """The processes of one test, on its own Redis; every one still running is killed at the end."""

    def __init__(self, tmp_path: Path, database_url: str, outside: "Outside"):
        self.tmp_path = tmp_path
        self.processes: list[Process] = []
        self.redis = self._keep(RedisServer(tmp_path / "redis.log"))
        self.redis.wait_ready()
        self.env = {
            **process_environment(),
            "DATABASE_URL": database_url,
            "DATABASE_POOL": "1",  # as production runs
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "AGENT_ENGINE": "openai",  # the product's engine, talking to the test's fake
            "OPENAI_BASE_URL": f"{outside.url}/v1",
            "OPENAI_API_KEY": "fault-test",
            "OPENAI_MODEL": "fault-test",
            "AGENT_ENGINE_TIMEOUT": str(ENGINE_TIMEOUT),
            "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",  # the tenant's action receiver is the test's
            "EMAIL_CONSOLE_DIR": str(tmp_path / "mail"),
            "LOG_LEVEL": "info",
            "PYTHONUNBUFFERED": "1",
        }

    def _keep(self, process):
        self.processes.append(process)
        return process

    def worker(self, *, concurrency: int = 2, **env) -> Worker:
        """A prefork worker (production's pool), started; call wait_ready() before relying on it."""
        name = f"worker-{sum(isinstance(p, Worker) for p in self.processes)}"
        args = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            f"--concurrency={concurrency}", "-Q", ",".join(QUEUES), "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-l", "info", "-n", f"{name}@%h",
        ]  # fmt: skip
        return self._keep(Worker(name, args, {**self.env, **env}, self.tmp_path / f"{name}.log"))

    def daphne(self, port: int | None = None, **env) -> Daphne:
        """daphne serving config.asgi on a loopback port (a free one unless given), started."""
        port = port or free_port()
        name = f"daphne-{sum(isinstance(p, Daphne) for p in self.processes)}"
        args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
        return self._keep(Daphne(port, name, args, {**self.env, **env}, self.tmp_path / f"{name}.log"))

    def close(self) -> None:
        for process in reversed(self.processes):
            process.close()

    def logs(self) -> str:
        """Every process's output, for a failing test's report."""
        return "\n".join(f"--- {p.name} ---\n{p.output()[-4000:]}" for p in self.processes)


def api(daphne: Daphne, token: str) -> httpx.Client:
    """A REST API client of one person (DRF token), on a daphne."""
    return httpx.Client(base_url=daphne.url, headers={"Authorization": f"Token {token}"}, timeout=30)


# --- the world outside Walker --------------------------------------------------------------------


class Hold:
    """The next request for one key waits here, in flight, until the test releases it."""

    def __init__(self):
        self.arrived = threading.Event()
        self.released = threading.Event()

    def wait_arrived(self, what: str, timeout: float = 60.0) -> None:
        if not self.arrived.wait(timeout):
            raise AssertionError(f"timed out waiting for {what}")

    def release(self) -> None:
        self.released.set()


def budget_call(campaign, amount: str = "700.00") -> dict:
    """An OpenAI tool call proposing `campaign`'s daily budget at `amount` (for `Outside.proposals`)."""
    arguments = {
        "action_data": {
            "campaign_id": str(campaign.pk),
            "campaign_name": campaign.name,
            "daily_budget": amount,
            "previous_daily_budget": str(campaign.daily_budget),
        },
        "summary": f"Raise {campaign.name} daily budget to ${amount}",
        "estimated_cost": 6000,
        "estimated_reach": 120000,
        "confidence": 0.9,
    }
    return {"id": "call_1", "type": "function", "function": {"name": "set_budget", "arguments": json.dumps(arguments)}}


class Outside:
    """One local HTTP server for everything Walker calls out to.

    POST /v1/chat/completions  an OpenAI-compatible engine: answers "Answer to: <the user's last message>"
                               after `thinking` seconds, or proposes what `proposals` holds for that text
    POST /actions              the tenant's action receiver: answers 200 {"ok": true}

    `asked` and `actions` record every request in arrival order; `hold(key)` keeps the next one for a key
    (a message's text, or "actions") in flight until released, so the test knows a worker is mid-call.
    """

    def __init__(self):
        self.asked: list[str] = []
        self.actions: list[dict] = []
        self.proposals: dict[str, list[dict]] = {}  # message text -> tool calls the engine answers with
        self.thinking = 0.3  # a slow engine
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()
        outside = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.endswith("/chat/completions"):
                    outside._answer(self, json.loads(body))
                elif self.path == "/actions":
                    outside._receive(self, body)
                else:
                    self._respond(404, {})

            def _respond(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                with contextlib.suppress(OSError):  # the caller may have been killed meanwhile
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()

    def hold(self, key: str) -> Hold:
        with self._lock:
            hold = self._holds[key] = Hold()
        return hold

    def times_asked(self, text: str) -> int:
        with self._lock:
            return self.asked.count(text)

    def _held(self, key: str) -> None:
        with self._lock:
            hold = self._holds.pop(key, None)
        if hold is not None:
            hold.arrived.set()
            hold.released.wait(HOLD_LIMIT)

    def _answer(self, handler, request: dict) -> None:
        text = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
        with self._lock:
            self.asked.append(text)
        self._held(text)
        time.sleep(self.thinking)
        message = {"role": "assistant", "content": f"Answer to: {text}"}
        if calls := self.proposals.get(text):
            message = {"role": "assistant", "content": "", "tool_calls": calls}
        handler._respond(200, {"id": "fault", "object": "chat.completion", "model": "fault-test",
                               "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})  # fmt: skip

    def _receive(self, handler, body: bytes) -> None:
        with self._lock:
            self.actions.append({"idempotency_key": handler.headers["Idempotency-Key"], **json.loads(body)})
        self._held("actions")
        handler._respond(200, {"ok": True})

    def close(self) -> None:
        with self._lock:
            holds = list(self._holds.values())
        for hold in holds:
            hold.release()
        self._server.shutdown()
        self._server.server_close()


# --- a chat client -------------------------------------------------------------------------------


class ChatSocket:
    """One chat client's socket (websocket-client, no Origin: not a browser); a thread reads its frames."""

    def __init__(self, daphne: Daphne, token: str, *, conversation: str | None = None, last_seq: int | None = None):
        query = f"token={token}"
        if conversation is not None:
            query += f"&conversation={conversation}&last_seq={last_seq}"
        self._collect(
            websocket.create_connection(
                f"ws://127.0.0.1:{daphne.port}/ws/chat/?{query}", timeout=30, suppress_origin=True
            )
        )

    def _collect(self, ws) -> None:
        """Keep `ws` and start the thread that reads its frames."""
        self.ws = ws
        self.ws.settimeout(None)  # the reader waits as long as the socket is open
        self.frames: list[dict] = []
        self.closed = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while text := self.ws.recv():
                with self._lock:
                    self.frames.append(json.loads(text))
        except (websocket.WebSocketException, OSError):
            pass  # closed: by the test, or the server went away
        finally:
            self.closed.set()

    def say(self, text: str, client_msg_id: str) -> None:
        self.ws.send(json.dumps({"type": "send_message", "message": text, "client_msg_id": client_msg_id}))

    def received(self) -> list[dict]:
        with self._lock:
            return list(self.frames)

    def numbered(self) -> list[dict]:
        """The stored events this socket delivered, in the order it delivered them."""
        return [f for f in self.received() if f["type"] not in NOT_NUMBERED]

    def wait_for(self, condition, what: str, timeout: float = 60.0) -> list[dict]:
        """Wait until `condition(frames)` holds; the frames so far."""
        try:
            wait_for(lambda: condition(self.received()), what, timeout=timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; the socket got {self._summary()}") from None
        return self.received()

    def answers(self) -> list[dict]:
        return [f for f in self.received() if f["type"] == "agent_response"]

    def _summary(self) -> str:
        return ", ".join(f"{f['type']}:{f.get('seq')}" for f in self.received()) or "nothing"

    def close(self) -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError):
            self.ws.close(timeout=1)


# --- a database connection that drops ------------------------------------------------------------


class DatabaseProxy:
    """A TCP proxy on a loopback port in front of PostgreSQL: the processes' DATABASE_URL names it, so the test can
    drop every connection and refuse new ones (`cut`), as a failover or a network partition does."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._refusing = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database_url: str) -> str:
        """`database_url` (the test database's, on 127.0.0.1) through the proxy."""
        return database_url.replace(f":{self.upstream_port}/", f":{self.port}/")

    @contextlib.contextmanager
    def cut(self):
        """Every open connection dropped at once and every new one refused until the block ends."""
        self._refusing.set()
        with self._lock:
            dropped, self._open = self._open, set()
        for end in dropped:
            _drop(end)
        try:
            yield
        finally:
            self._refusing.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if self._refusing.is_set():
                _drop(client)
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                _drop(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # dropped by a cut, or the other end went away
        finally:
            with self._lock:
                self._open -= {source, sink}
            _drop(source)
            _drop(sink)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            dropped, self._open = self._open, set()
        for end in dropped:
            _drop(end)


def _drop(end: socket.socket) -> None:
    """Close at once: the pump reading it wakes (SHUT_RD), and SO_LINGER 0 sends a reset, as a connection lost in
    the network ends for its peer."""
    with contextlib.suppress(OSError):
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        end.shutdown(socket.SHUT_RD)
    with contextlib.suppress(OSError):
        end.close()
