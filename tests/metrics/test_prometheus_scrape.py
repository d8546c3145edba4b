"""A real Prometheus scraping a real Walker: daphne with METRICS_TOKEN and a multiprocess directory, Prometheus on
loopback ports with a scrape job that carries the token and one that does not. A forged Twilio webhook moves
walker_webhook_signature_failures_total, and Prometheus' HTTP API sees it."""

import json
import shutil
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.daphne import running_daphne
from tests.fixtures.whatsapp import inbound_form
from tests.workers import process_database_url, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres("daphne serves from the test database"),
    pytest.mark.skipif(
        shutil.which("prometheus") is None,
        reason="needs Debian's prometheus package (`make test` installs it when run as root)",
    ),
]
TOKEN = "scrape-test-token-" + "s" * 24
FAILURES = 'sum(walker_webhook_signature_failures_total{webhook="twilio"})'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape_config(walker_port: int) -> str:
    target = f"127.0.0.1:{walker_port}"
    jobs = [
        {
            "job_name": "walker",
            "metrics_path": "/metrics",
            "authorization": {"type": "Bearer", "credentials": TOKEN},
            "static_configs": [{"targets": [target]}],
        },
        {"job_name": "walker-without-token", "metrics_path": "/metrics", "static_configs": [{"targets": [target]}]},
    ]
    return json.dumps({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}, "scrape_configs": jobs})


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path, **params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)

    def value(self, query) -> float | None:
        result = self.get("/api/v1/query", query=query)["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/-/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False


@pytest.fixture
def walker(tmp_path, live_db):
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = {"DATABASE_URL": process_database_url(), "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with running_daphne(tmp_path / "daphne.log", **env) as (_, port):
        yield port


@pytest.fixture
def prometheus(tmp_path, walker):
    config = tmp_path / "prometheus.yml"
    config.write_text(scrape_config(walker))  # JSON is YAML
    port = free_port()
    log = open(tmp_path / "prometheus.log", "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Prometheus(port)
    try:
        wait_for(lambda: process.poll() is None and server.ready(), "Prometheus to be ready", timeout=60)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def forge_twilio_webhook(port):
    body = urllib.parse.urlencode(inbound_form("+14155550105")).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/channels/whatsapp/webhook",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "forged="},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def test_prometheus_scrapes_walker_with_the_token_and_sees_a_forged_webhook(walker, prometheus):
    wait_for(lambda: prometheus.value('up{job="walker"}') == 1, "the scrape with the token to succeed", timeout=30)
    before = prometheus.value(FAILURES) or 0

    forge_twilio_webhook(walker)
    forge_twilio_webhook(walker)

    wait_for(lambda: (prometheus.value(FAILURES) or 0) >= before + 2, "Prometheus to see both failures", timeout=30)
    assert prometheus.value('sum(walker_approvals_waiting{risk_level="critical"})') == 0  # read at scrape time

    wait_for(lambda: prometheus.value('up{job="walker-without-token"}') == 0, "the tokenless scrape to fail", 30)
    [without] = [
        t
        for t in prometheus.get("/api/v1/targets")["data"]["activeTargets"]
        if t["scrapePool"] == "walker-without-token"
    ]
    assert "401" in without["lastError"]
