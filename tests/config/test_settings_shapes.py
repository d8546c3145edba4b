"""Settings are read once at import, so each shape is checked in a fresh interpreter: one that reads the settings
module and no more (loading the apps as well took each check 3.2 to 3.6 s instead of 1.1 to 1.4)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.shape_free  # tests/shape_free.py

ROOT = Path(__file__).resolve().parents[2]
WALKER_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "PUBLIC_BASE_URL", "WHATSAPP_PROVIDER", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
    "EMAIL_PROVIDER", "SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL", "SENDGRID_WEBHOOK_PUBLIC_KEY", "AGENT_ENGINE",
    "LANGFLOW_URL", "LANGFLOW_FLOW_ID", "LANGFLOW_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL",
    "SENDGRID_API_HOST", "SENDGRID_INBOUND_DOMAIN", "SENDGRID_INBOUND_USER", "SENDGRID_INBOUND_PASSWORD",
    "EMAIL_CONSOLE_DIR",
    "TWILIO_TIMEOUT", "ENCRYPTION_KEYS", "PII_HASH_KEY", "DATABASE_POOL", "DATABASE_SERVER_SIDE_BINDING", "WALKER_HOST",
    "DATABASE_RANDOM_PAGE_COST",
    "WALKER_PORT",
    "WALKER_VAR_DIR",
    "JWT_SIGNING_KEY", "LOG_FORMAT", "LOG_LEVEL", "SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_TRACES_SAMPLE_RATE",
}  # fmt: skip
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "walker.example.com",
    "PUBLIC_BASE_URL": "https://walker.example.com",
    "DATABASE_URL": "postgres://walker:pw@db.internal:5432/walker",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ENCRYPTION_KEYS": "Jm5UGHDLyEPdOsLGtWaW8h6iR7LkGGIcOx3p1vn3kEo=",
    "PII_HASH_KEY": secrets.token_urlsafe(32),
    "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
}
SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "db_engine": s.DATABASES["default"]["ENGINE"],
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "server_side_binding": s.DATABASES["default"].get("OPTIONS", {}).get("server_side_binding"),
    "connection_options": s.DATABASES["default"].get("OPTIONS", {}).get("options"),
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": s.CACHES["default"]["BACKEND"],
    "broker": s.CELERY_BROKER_URL,
    "broker_transport": getattr(s, "CELERY_BROKER_TRANSPORT", None),
    "whatsapp": s.WHATSAPP_PROVIDER,
    "email": s.EMAIL_PROVIDER,
    "engine": s.AGENT_ENGINE,
    "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
}))
"""


def run_python(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in WALKER_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def shape(**env):
    result = run_python(["-c", SHOW_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_embedded_default_with_no_variables():
    assert shape() == {
        "DEBUG": True,
        "db_engine": "config.db.sqlite3",  # Django's, counted by django-prometheus (docs/metrics.md)
        "db_name": str(ROOT / "var" / "walker.sqlite3"),
        "server_side_binding": None,
        "connection_options": None,
        "layer": "channels.layers.InMemoryChannelLayer",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "filesystem://",
        "broker_transport": "core.filesystem_broker:Transport",  # whole messages only (issue 46)
        "whatsapp": "console",
        "email": "console",
        "engine": "builtin",
        "csrf_origins": ["http://127.0.0.1:8000"],
        "ssl_redirect": False,
    }


@pytest.mark.slow
def test_production_shape():
    got = shape(**PRODUCTION)
    assert got["DEBUG"] is False
    assert got["db_engine"] == "config.db.postgresql"
    assert got["server_side_binding"] is True  # one parse and plan per statement and connection
    assert shape(**PRODUCTION, DATABASE_SERVER_SIDE_BINDING="0")["server_side_binding"] is False
    assert got["connection_options"] == "-c random_page_cost=1.1"  # planned for SSDs
    assert shape(**PRODUCTION, DATABASE_RANDOM_PAGE_COST="0")["connection_options"] is None  # the server's own
    with_options = {**PRODUCTION, "DATABASE_URL": f"{PRODUCTION['DATABASE_URL']}?options=-c%20work_mem%3D8MB"}
    assert shape(**with_options)["connection_options"] == "-c work_mem=8MB -c random_page_cost=1.1"
    assert got["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert got["cache"] == "django_redis.cache.RedisCache"  # one connection pool per process
    assert got["broker"] == "redis://cache.internal:6379/0"  # CELERY_BROKER_URL defaults to REDIS_URL
    assert got["broker_transport"] is None  # the URL's own transport
    assert got["csrf_origins"] == ["https://walker.example.com"]
    assert got["ssl_redirect"] is True


@pytest.mark.slow
def test_celery_broker_can_differ_from_redis():
    got = shape(**PRODUCTION, CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//")
    assert got["broker"] == "amqp://guest:guest@127.0.0.1:5672//"
    assert got["broker_transport"] is None


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_variables():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEYS", "PII_HASH_KEY"]
    + ["JWT_SIGNING_KEY"],
)
def test_production_without_a_required_variable_fails_at_start_naming_it(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_python(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"Missing required environment variable {missing} (needed when DEBUG=0)" in result.stderr


@pytest.mark.parametrize(
    "env, named",
    [
        ({"WHATSAPP_PROVIDER": "twilio"}, "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"),
        (
            {"EMAIL_PROVIDER": "sendgrid", "SENDGRID_API_KEY": "x"},
            "SENDGRID_FROM_EMAIL, SENDGRID_WEBHOOK_PUBLIC_KEY, SENDGRID_INBOUND_DOMAIN, SENDGRID_INBOUND_USER, "
            "SENDGRID_INBOUND_PASSWORD",
        ),
        ({"AGENT_ENGINE": "langflow"}, "LANGFLOW_URL, LANGFLOW_FLOW_ID"),
        ({"AGENT_ENGINE": "openai", "OPENAI_MODEL": "gpt"}, "OPENAI_API_KEY"),
    ],
)
def test_a_chosen_provider_without_its_credentials_fails_naming_them(env, named):
    result = run_python(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert named in result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"WHATSAPP_PROVIDER": "pigeon"}, "WHATSAPP_PROVIDER must be one of console, twilio"),
        ({"TWILIO_TIMEOUT": "0"}, "TWILIO_TIMEOUT must be at least 1"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be an integer"),
        (
            {"DATABASE_URL": "postgres://db/walker", "DATABASE_RANDOM_PAGE_COST": "-1"},
            "DATABASE_RANDOM_PAGE_COST must be a finite number of at least 0",
        ),
    ],
)
def test_bad_values_fail_loudly(env, message):
    result = run_python(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.slow
def test_the_queue_channel_layer_can_be_chosen():
    assert shape(**PRODUCTION, CHANNEL_LAYER_BACKEND="queue")["layer"] == "channels_redis.core.RedisChannelLayer"


TWILIO = {"WHATSAPP_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32}
SENDGRID = {
    "EMAIL_PROVIDER": "sendgrid",
    "SENDGRID_API_KEY": "SG.x",
    "SENDGRID_FROM_EMAIL": "walker@acme.test",
    "SENDGRID_WEBHOOK_PUBLIC_KEY": "pk",
    "SENDGRID_INBOUND_DOMAIN": "mail.acme.test",
    "SENDGRID_INBOUND_USER": "sendgrid",
    "SENDGRID_INBOUND_PASSWORD": "p" * 24,
}


SHOW_EMAIL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_PROVIDER, repr(s.SENDGRID_INBOUND_USER), repr(s.SENDGRID_INBOUND_PASSWORD))"
)


@pytest.mark.slow
@pytest.mark.parametrize("debug", ["1", "0"])
def test_every_email_goes_through_walkers_provider_and_sendgrid_is_not_announced_as_missing(debug):
    env = {**(PRODUCTION if debug == "0" else {}), **SENDGRID}
    result = run_python(["-c", SHOW_EMAIL], **env)
    assert result.stdout.split() == [
        "channels_app.email.backend.ProviderEmailBackend",
        "sendgrid",
        "'sendgrid'",
        "'" + "p" * 24 + "'",
    ], result.stderr
    check = run_python(["manage.py", "check"], **env)
    assert check.returncode == 0 and "walker.W002" not in check.stderr, check.stderr


@pytest.mark.slow
def test_production_without_inbound_credentials_refuses_every_inbound_email():
    result = run_python(["-c", SHOW_EMAIL], **PRODUCTION)
    assert result.stdout.split() == ["channels_app.email.backend.ProviderEmailBackend", "console", "''", "''"]


@pytest.mark.slow
def test_twilio_has_its_adapter_so_no_warning():
    result = run_python(["manage.py", "check"], **TWILIO)
    assert result.returncode == 0, result.stderr
    assert "walker.W001" not in result.stderr and "Twilio adapter" not in result.stderr
