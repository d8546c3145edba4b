"""Debian's Prometheus on a free loopback port, for the tests that watch Walker's metrics move: started with a
scrape configuration, asked through its HTTP API, stopped at the end."""

import json
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.workers import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape_job(name: str, targets: list[str], token: str | None = None) -> dict:
    """One job scraping `targets`' /metrics, with the bearer token when given."""
    job = {"job_name": name, "metrics_path": "/metrics", "static_configs": [{"targets": targets}]}
    if token:
        job["authorization"] = {"type": "Bearer", "credentials": token}
    return job


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


@contextmanager
def running_prometheus(directory: Path, jobs: list[dict]):
    """Prometheus scraping `jobs` every second, its data and log in `directory`."""
    config = directory / "prometheus.yml"
    config.write_text(json.dumps({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}, "scrape_configs": jobs}))
    port = free_port()
    log = open(directory / "prometheus.log", "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",  # JSON is YAML
            f"--storage.tsdb.path={directory / 'tsdb'}",
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
