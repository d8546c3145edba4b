"""LOG_FORMAT and the Sentry variables, each shape in a fresh interpreter (settings are read once at import)."""

import json

import pytest

from tests.config.test_settings_shapes import PRODUCTION, run_python

pytestmark = pytest.mark.shape_free  # each shape in an interpreter of its own (tests/shape_free.py)

LOG_A_LINE = """
import logging
from django.conf import settings
from django.utils.log import configure_logging
configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
logging.getLogger("walker.check").warning("written to pat@example.com")
"""
SHOW_SENTRY = """
import json, sentry_sdk
from django.conf import settings
settings.DEBUG  # reading the settings starts Sentry, or not
client = sentry_sdk.get_client()
print(json.dumps({"active": client.is_active(), "environment": client.options.get("environment"),
                  "rate": client.options.get("traces_sample_rate")}))
"""


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_production_writes_json_lines_and_development_readable_ones():
    production = run_python(["-c", LOG_A_LINE], **PRODUCTION)
    line = json.loads(last_line(production.stderr))
    assert line["event"] == "written to [email]" and line["level"] == "warning" and line["logger"] == "walker.check"
    development = run_python(["-c", LOG_A_LINE])
    assert "written to [email]" in last_line(development.stderr) and not last_line(development.stderr).startswith("{")
    assert json.loads(last_line(run_python(["-c", LOG_A_LINE], LOG_FORMAT="json").stderr))["logger"] == "walker.check"


@pytest.mark.slow
@pytest.mark.parametrize(
    "env, named",
    [
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of json, console, got 'xml'"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "1.5"}, "SENTRY_TRACES_SAMPLE_RATE must be at most 1.0, got '1.5'"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "-0.1"}, "SENTRY_TRACES_SAMPLE_RATE must be a finite number of at least 0.0"),
        ({"SENTRY_TRACES_SAMPLE_RATE": "often"}, "SENTRY_TRACES_SAMPLE_RATE must be a number, got 'often'"),
    ],
)
def test_a_bad_value_fails_at_start_naming_it(env, named):
    result = run_python(["manage.py", "check"], **env)
    assert result.returncode != 0 and named in result.stderr


@pytest.mark.slow
def test_sentry_is_off_without_a_dsn_and_started_with_one():
    assert json.loads(run_python(["-c", SHOW_SENTRY]).stdout)["active"] is False
    started = run_python(
        ["-c", SHOW_SENTRY], SENTRY_DSN="http://key@127.0.0.1:9/1", SENTRY_ENVIRONMENT="staging",
        SENTRY_TRACES_SAMPLE_RATE="0.25",
    )  # fmt: skip
    assert json.loads(started.stdout) == {"active": True, "environment": "staging", "rate": 0.25}
