"""`bin/run-prod-shape` started for a test module, and clients that talk to it as people do: through nginx, over TLS.

The shape runs on a PostgreSQL database of its own (made and dropped here), a Redis server of its own
(tests.faults.harness.RedisServer) and free loopback ports; the test reads and signs nothing with Django's settings,
only with the environment it gave the shape.
"""

import base64
import re
import secrets
import signal
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import websocket

from tests.faults.harness import ROOT, ChatSocket, free_port
from tests.workers import process_environment, wait_for

STARTUP_SECONDS = 240.0  # migrations of a new database, collectstatic and nine processes on two shared cores
DEMO_PASSWORD = "walker-demo"
BANNER = "production shape is running"


def recreate_database(server: dict, name: str, *, drop_only: bool = False, template: str | None = None) -> None:
    """(Re)create database `name` on the test run's PostgreSQL server (`server`: Django's settings_dict), empty or a
    copy of `template`."""
    with psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


@dataclass
class Shape:
    """The running script, its ports and environment."""

    directory: Path
    env: dict
    https_port: int
    http_port: int
    web_ports: list[int]
    websocket_ports: list[int]
    process: subprocess.Popen | None = field(default=None, init=False)

    @classmethod
    def environment(cls, directory: Path, database_url: str, redis_url: str) -> "Shape":
        ports = [free_port() for _ in range(6)]
        shape = cls(directory, {}, ports[0], ports[1], ports[2:4], ports[4:6])
        shape.env = process_environment(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
            PROD_SHAPE_DIR=str(directory),
            WALKER_HTTPS_PORT=str(shape.https_port),
            WALKER_HTTP_PORT=str(shape.http_port),
            WALKER_WEB_PORTS=" ".join(map(str, shape.web_ports)),
            WALKER_WEBSOCKET_PORTS=" ".join(map(str, shape.websocket_ports)),
            WALKER_WORKER_CONCURRENCY="1",
            DATABASE_POOL_MIN="1",  # nine processes on a PostgreSQL that other test runs share
            DATABASE_POOL_MAX="4",
            AGENT_ENGINE="builtin",
            WHATSAPP_PROVIDER="console",
            EMAIL_PROVIDER="console",
            EMAIL_CONSOLE_DIR=str(directory / "mail"),
            TWILIO_AUTH_TOKEN=secrets.token_hex(16),  # what Twilio signs with; the console provider sends nothing
            # The test's own secrets (the script would generate them), so `seed_demo` writes what the shape reads.
            SECRET_KEY=secrets.token_urlsafe(48),
            ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
            PII_HASH_KEY=secrets.token_urlsafe(32),
            JWT_SIGNING_KEY=secrets.token_urlsafe(48),
            METRICS_TOKEN=secrets.token_urlsafe(32),  # /metrics of each process, for the Prometheus test
        )
        for name in ("OPENAI_API_KEY", "LANGFLOW_URL", "PUBLIC_BASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
            shape.env.pop(name, None)
        return shape

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def certificate(self) -> Path:
        return self.directory / "nginx" / "self-signed.crt"

    def output(self) -> str:
        log = self.directory / "run.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "run.log", "w") as log:
            self.process = subprocess.Popen(
                [str(ROOT / "bin" / "run-prod-shape")], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

        def up():
            if self.process.poll() is not None:
                raise AssertionError(f"run-prod-shape exited with {self.process.returncode}:\n{self.logs()}")
            return BANNER in self.output()

        wait_for(up, "the production shape to start", timeout=STARTUP_SECONDS)

    def manage(self, *args: str) -> str:
        """`bin/walker manage ARGS` with the shape's environment (seed_demo, shell)."""
        done = subprocess.run(
            [str(ROOT / "bin" / "walker"), "manage", *args],
            cwd=ROOT,
            env={**self.env, "PATH": f"{ROOT / '.venv' / 'bin'}:{self.env['PATH']}"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(query, params).fetchall()

    def roll(self) -> None:
        """SIGHUP: the script restarts its daphne processes one at a time."""
        self.process.send_signal(signal.SIGHUP)

    def rolled(self) -> int:
        return self.output().count("rolling restart done")

    def stop(self) -> int | None:
        """Ctrl-C (SIGINT), as a person stops it; its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def logs(self) -> str:
        """The script's output and the tail of every process's log, for a failing test's report."""
        parts = [f"--- run-prod-shape ---\n{self.output()[-3000:]}"]
        for path in sorted((self.directory / "logs").glob("*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def tls(self) -> ssl.SSLContext:
        """Trusts the run's self-signed certificate only: the clients check it as a browser checks a real one."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def browser(self, **transport) -> httpx.Client:
        """A person's browser on the public URL (cookies kept; `transport`: e.g. local_address)."""
        return httpx.Client(
            base_url=self.url,
            transport=httpx.HTTPTransport(verify=self.tls(), **transport),
            headers={"Referer": f"{self.url}/", "Origin": self.url},
            timeout=60,
        )

    def sign_in(self, email: str, password: str = DEMO_PASSWORD, **transport) -> httpx.Client:
        """Sign in on allauth's page as a browser does (CSRF cookie, form, session cookie)."""
        browser = self.browser(**transport)
        page = browser.get("/accounts/login/")
        assert page.status_code == 200, page.text
        form = {"login": email, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)}
        signed_in = browser.post("/accounts/login/", data=form)
        assert signed_in.status_code == 302, signed_in.text[:2000]
        return browser


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def cookie_header(browser: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


class Socket(ChatSocket):
    """One WebSocket whose frames a thread collects (the fault harness's chat client); a browser's: cookies and
    Origin, TLS through nginx."""

    def __init__(self, url: str, *, browser: httpx.Client | None = None, origin: str, tls: ssl.SSLContext | None):
        headers = [f"Cookie: {cookie_header(browser)}"] if browser is not None else []
        self._collect(
            websocket.create_connection(
                url, timeout=30, header=headers, origin=origin, sslopt={"context": tls} if tls else None
            )
        )

    def of_type(self, kind: str) -> list[dict]:
        return [f for f in self.received() if f["type"] == kind]
