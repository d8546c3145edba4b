"""Production settings for issue 17: no plain-http tenant URLs, forwarded headers not trusted, a broker
visibility timeout longer than any task waits, logins guarded by django-axes."""

import json

import pytest

from tests.config.test_settings_shapes import PRODUCTION, run_python

SHOW = """
import json
from django.conf import settings as s
print(json.dumps({
    "http": s.OUTBOUND_ALLOW_HTTP,
    "proxies": s.REST_FRAMEWORK["NUM_PROXIES"],
    "visibility": s.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout"),
    "backend": s.AUTHENTICATION_BACKENDS[0],
    "sweep": s.CELERY_BEAT_SCHEDULE["hitl-recover-executions"]["task"],
}))
"""
LONGEST_COUNTDOWN = 60 * 2**3  # hitl.tasks.send_notification's last retry waits 8 minutes


def production(**env):
    result = run_python(["-c", SHOW], **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_production_is_guarded():
    shown = production()
    assert shown["http"] is False and shown["proxies"] == 0
    assert shown["visibility"] > LONGEST_COUNTDOWN + 60
    assert shown["backend"] == "axes.backends.AxesStandaloneBackend"
    assert shown["sweep"] == "hitl.tasks.recover_executions"


@pytest.mark.slow
def test_proxies_and_the_visibility_timeout_can_be_set():
    shown = production(NUM_PROXIES="2", CELERY_VISIBILITY_TIMEOUT="1800")
    assert (shown["proxies"], shown["visibility"]) == (2, 1800)


@pytest.mark.slow
def test_production_refuses_a_short_visibility_timeout_and_a_test_run_may_lower_it():
    """Under ten minutes Redis would hand a retry's waiting task to a second worker; tests/faults needs seconds."""
    refused = run_python(["-c", SHOW], **{**PRODUCTION, "CELERY_VISIBILITY_TIMEOUT": "60"})
    assert refused.returncode != 0 and "CELERY_VISIBILITY_TIMEOUT must be at least 600" in refused.stderr
    lowered = run_python(["-c", SHOW], REDIS_URL="redis://127.0.0.1:6379/0", CELERY_VISIBILITY_TIMEOUT="3")
    assert lowered.returncode == 0, lowered.stderr
    assert json.loads(lowered.stdout.strip().splitlines()[-1])["visibility"] == 3
