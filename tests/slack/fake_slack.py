"""A local stand-in for Slack's Web API on 127.0.0.1: it records every call (method, JSON or form body, token) and
answers as Slack does, `{"ok": true, ...}`, unless a test scripted failures for a method first. A test may also have
something happen while a call is in flight (`while_answering`).

For "Add to Slack" it also plays Slack's OAuth v2 install: the install page at `/oauth/v2/authorize` (the app's
client id, bot scopes, a redirect URI), whose "Allow" sends the browser back with a code and "Cancel" with
error=access_denied (adplatforms.simulator.consent); `oauth.v2.access` exchanging the code (client id and secret by
HTTP Basic, the same redirect URI) for a bot token of `team`; and `conversations.list` of `channels` for that token."""

import base64
import itertools
import json
import secrets
import threading
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from adplatforms.simulator import consent
from tests.quick_httpserver import POLL_SECONDS

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-slack-client-secret-9Kp"


class FakeSlack:
    def __init__(self):
        self.calls: list[tuple[str, dict, str]] = []
        self._failures: dict[str, deque] = defaultdict(deque)
        self._meanwhile: dict[str, object] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.team = {"id": "T0WALKER", "name": "Acme"}
        self.channels = [{"id": "C0APPROVALS", "name": "approvals"}, {"id": "C0GENERAL", "name": "general"}]
        self.codes: dict[str, str] = {}  # install codes not yet exchanged -> their redirect URI
        self.bot_tokens: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                split = urlsplit(self.path)
                params = dict(parse_qsl(split.query))
                if split.path == "/oauth/v2/authorize":
                    status, page = fake._install_page(params)
                    return self._send(status, page, "text/html; charset=utf-8")
                method = split.path.rsplit("/", 1)[-1]
                status, answer = fake._answer(method, params, self.headers.get("Authorization", ""))
                self._send(status, json.dumps(answer).encode(), "application/json")

            def do_POST(self):
                method = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == consent.DECIDE_PATH:
                    self.send_response(302)
                    self.send_header("Location", fake._decided(dict(parse_qsl(raw.decode()))))
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    body = dict(parse_qsl(raw.decode()))
                else:
                    body = json.loads(raw or b"{}")
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

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
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

    @property
    def authorize_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/oauth/v2/authorize"

    def _install_page(self, params: dict) -> tuple[int, bytes]:
        if params.get("client_id") != self.client_id:
            return 400, b"Invalid client_id parameter"
        if "chat:write" not in params.get("scope", "").split(",") or not params.get("redirect_uri"):
            return 400, b"Invalid scope or redirect_uri"
        return 200, consent.page("Walker is requesting permission to access Acme", "Post approvals.", params)

    def _decided(self, form: dict) -> str:
        answer = {"state": form.get("state", "")}
        if form.get("decision") != "allow":
            return consent.back_to(form["redirect_uri"], {"error": "access_denied", **answer})
        code = f"{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"
        with self._lock:
            self.codes[code] = form["redirect_uri"]
        return consent.back_to(form["redirect_uri"], {"code": code, **answer})

    def _install(self, body: dict, authorization: str) -> dict:
        client = base64.b64decode(authorization.removeprefix("Basic ") or b"").decode(errors="replace")
        if client != f"{self.client_id}:{self.client_secret}":
            return {"ok": False, "error": "invalid_client_id" if not client else "bad_client_secret"}
        redirect_uri = self.codes.pop(body.get("code", ""), None)
        if redirect_uri is None:
            return {"ok": False, "error": "invalid_code"}
        if body.get("redirect_uri") != redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-fake-{secrets.token_hex(10)}"
        self.bot_tokens.add(token)
        return {"ok": True, "access_token": token, "token_type": "bot", "scope": body.get("scope", "chat:write"),
                "bot_user_id": "U0WALKERBOT", "app_id": "A0WALKER", "team": dict(self.team), "enterprise": None,
                "authed_user": {"id": "U0ADMIN"}, "is_enterprise_install": False}  # fmt: skip

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
            if method == "oauth.v2.access":
                return 200, self._install(body, token)
            if method == "conversations.list":
                if token.removeprefix("Bearer ") not in self.bot_tokens:
                    return 200, {"ok": False, "error": "invalid_auth"}
                return 200, {"ok": True, "channels": list(self.channels), "response_metadata": {"next_cursor": ""}}
            return 200, {"ok": True}

    def called(self, method: str) -> list[dict]:
        with self._lock:
            return [body for name, body, _ in self.calls if name == method]
