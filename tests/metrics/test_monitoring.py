"""deploy/monitoring: the alert rules pass `promtool check rules` and their unit tests (`promtool test rules`), and
every metric the rules and the Grafana dashboard name is one Walker exports; every Walker metric has a panel."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.metrics.conftest import TOKEN

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
RULES = MONITORING / "walker-alerts.yml"
DASHBOARD = MONITORING / "grafana-walker.json"
NAME = re.compile(r"\b(?:walker|django)_[a-zA-Z0-9_:]+")
SUFFIXES = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum", "_created"], "gauge": [""]}

promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="needs promtool (Debian's prometheus package; `make test` installs it when run as root)",
)


def run_promtool(*args):
    done = subprocess.run(["promtool", *args], cwd=MONITORING, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@promtool
def test_the_rules_are_valid():
    assert "SUCCESS" in run_promtool("check", "rules", RULES.name)


@pytest.mark.slow
@promtool
def test_the_rules_unit_tests_pass():
    assert "SUCCESS" in run_promtool("test", "rules", "walker-alerts.test.yml")


def dashboard_expressions() -> list[str]:
    def walk(panels):
        for panel in panels:
            yield from (target["expr"] for target in panel.get("targets", []))
            yield from walk(panel.get("panels", []))

    return list(walk(json.loads(DASHBOARD.read_text())["panels"]))


def rule_expressions() -> list[str]:
    return [rule["expr"] for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


@pytest.fixture
def exported(client, metrics_token, db) -> dict[str, set[str]]:
    """Sample names a scrape of Walker offers, by family (one request first, for django-prometheus' families)."""
    client.get("/healthz")
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    return {
        family.name: {family.name + suffix for suffix in SUFFIXES.get(family.type, [""])}
        for family in text_string_to_metric_families(text)
    }


@pytest.mark.parametrize("source", ["dashboard", "rules"])
def test_every_expression_names_metrics_walker_exports(exported, source):
    expressions = dashboard_expressions() if source == "dashboard" else rule_expressions()
    assert expressions
    names = set().union(*exported.values())
    for expression in expressions:
        for name in NAME.findall(expression):
            assert name in names, f"{name} (in {expression!r}) is not a metric Walker exports"


@pytest.mark.slow
def test_every_walker_metric_has_a_panel(exported):
    shown = {name for expression in dashboard_expressions() for name in NAME.findall(expression)}
    for family, samples in exported.items():
        # The text format shows a counter's creation time as a gauge family of its own: no panel for that.
        if family.startswith("walker_") and not family.endswith("_created"):
            assert samples & shown, f"no panel shows {family}"


def test_panels_have_unique_ids_and_a_datasource():
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"], panel["title"]
