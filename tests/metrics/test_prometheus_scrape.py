"""A real Prometheus scraping a real Walker: daphne with METRICS_TOKEN and a multiprocess directory, Prometheus on
loopback ports with a scrape job that carries the token and one that does not. A forged Twilio webhook moves
walker_webhook_signature_failures_total, and Prometheus' HTTP API sees it."""

import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.daphne import running_daphne
from tests.fixtures.whatsapp import inbound_form
from tests.prometheus import running_prometheus, scrape_job
from tests.workers import process_database_url, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.processes,
    pytest.mark.postgres("daphne serves from the test database"),
    pytest.mark.skipif(
        shutil.which("prometheus") is None,
        reason="needs Debian's prometheus package (`make test` installs it when run as root)",
    ),
]
TOKEN = "scrape-test-token-" + "s" * 24
FAILURES = 'sum(walker_webhook_signature_failures_total{webhook="twilio"})'


@pytest.fixture
def walker(tmp_path, live_db):
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = {"DATABASE_URL": process_database_url(), "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with running_daphne(tmp_path / "daphne.log", **env) as (_, port):
        yield port


@pytest.fixture
def prometheus(tmp_path, walker):
    target = [f"127.0.0.1:{walker}"]
    with running_prometheus(
        tmp_path, [scrape_job("walker", target, TOKEN), scrape_job("walker-without-token", target)]
    ) as server:
        yield server


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
