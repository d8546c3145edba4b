"""The sign-in tokens' settings: their own signing key (required in production, never SECRET_KEY) and lifetimes
from the environment."""

import json

import pytest

from tests.config.test_settings_shapes import PRODUCTION, run_python

SHOW = """
import json
from django.conf import settings as s
j = s.SIMPLE_JWT
print(json.dumps({"key": j["SIGNING_KEY"], "secret": s.SECRET_KEY, "access": j["ACCESS_TOKEN_LIFETIME"].total_seconds(),
                  "refresh": j["REFRESH_TOKEN_LIFETIME"].total_seconds(), "rotate": j["ROTATE_REFRESH_TOKENS"],
                  "blacklist": j["BLACKLIST_AFTER_ROTATION"], "revoke": j["CHECK_REVOKE_TOKEN"]}))
"""


def shown(**env):
    result = run_python(["-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_production_signs_with_its_own_key_and_the_lifetimes_set():
    got = shown(**PRODUCTION, JWT_ACCESS_MINUTES="15", JWT_REFRESH_HOURS="48")
    assert got["key"] == PRODUCTION["JWT_SIGNING_KEY"] != got["secret"]
    assert (got["access"], got["refresh"]) == (15 * 60, 48 * 3600)
    assert got["rotate"] and got["blacklist"] and got["revoke"]


@pytest.mark.slow
def test_the_embedded_default_derives_a_key_that_is_not_secret_key():
    got = shown()
    assert got["key"] and got["key"] != got["secret"]
    assert (got["access"], got["refresh"]) == (5 * 60, 24 * 3600)
