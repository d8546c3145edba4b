"""A local stand-in for Slack's Web API on 127.0.0.1: it records every call (method, JSON body, token) and answers
as Slack does, `{"ok": true, ...}`, unless a test scripted failures for a method first. A test may also have
something happen while a call is in flight (`while_answering`)."""

import itertools
import json
import threading
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.quick_httpserver import POLL_SECONDS


class FakeSlack:
    def __init__(self):
        self.calls: list[tuple[str, dict, str]] = []
        self._failures: dict[str, deque] = defaultdict(deque)
        self._meanwhile: dict[str, object] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                method = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                meanwhile = fake._meanwhile.pop(method, None)
                if meanwhile is not None:  # in this server thread, before the caller has its answer
                    meanwhile(body)
                status, answer = fake._answer(method, body, self.headers.get("Authorization", ""))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL_SECONDS,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, times: int = 1, *, status: int = 500, error: str = "internal_error"):
        """The next `times` calls of `method` answer `status` with Slack's `{"ok": false, "error": …}`."""
        with self._lock:
            self._failures[method].extend([(status, error)] * times)

    def while_answering(self, method: str, hook):
        """The next call of `method` runs `hook(body)` before it is answered: the caller waits on Slack meanwhile."""
        self._meanwhile[method] = hook

    def _answer(self, method: str, body: dict, token: str) -> tuple[int, dict]:
        with self._lock:
            self.calls.append((method, body, token))
            if self._failures[method]:
                status, error = self._failures[method].popleft()
                return status, {"ok": False, "error": error}
            if method == "chat.postMessage":
                channel = body.get("channel") or ""
                if channel.startswith(("U", "W")):  # posted to a person: Slack answers with their direct messages
                    channel = "D" + channel[1:]
                return 200, {"ok": True, "channel": channel, "ts": f"1700000000.{next(self._ts):06d}"}
            return 200, {"ok": True}

    def called(self, method: str) -> list[dict]:
        with self._lock:
            return [body for name, body, _ in self.calls if name == method]
