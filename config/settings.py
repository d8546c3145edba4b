"""Walker settings: one module, every deployment difference comes from the environment.

With no variables set, Walker runs embedded: SQLite (WAL), an in-memory channel
layer, Celery on kombu's filesystem transport and `console` providers, DEBUG on.
Production sets DEBUG=0 and the variables checked by `require()` below.
"""

import base64
import hashlib
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from config import logs, sentry
from config.env import env_bool, env_bytes, env_choice, env_float, env_int, env_list, env_rates, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent
# Embedded-mode state: SQLite file, Celery broker folders, the console's mail (bin/run-local reads the variable too;
# tests that start `make run`'s processes point it at a folder of their own).
VAR_DIR = Path(env_str("WALKER_VAR_DIR") or BASE_DIR / "var")
_CHECKOUT_ID = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]  # names this checkout's SQLite test database

DEBUG = env_bool("DEBUG", True)

if not DEBUG:
    require(
        ["SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL"]
        + ["ENCRYPTION_KEYS", "PII_HASH_KEY"],
        "needed when DEBUG=0",
    )

SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-embedded-default-only-for-local-use"


def _served_url(host: str, port: int) -> str:
    """Where `bin/run-local` serves (daphne -b WALKER_HOST -p WALKER_PORT): a bind to every interface is reached
    at the loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# One public URL rule: links in emails, webhook signatures and the simulators' target all use PUBLIC_BASE_URL,
# which is the server bin/run-local starts unless set (production requires it set, above).
WALKER_HOST = env_str("WALKER_HOST", "127.0.0.1") or "127.0.0.1"
WALKER_PORT = env_int("WALKER_PORT", 8000, minimum=1)
PUBLIC_BASE_URL = (env_str("PUBLIC_BASE_URL") or _served_url(WALKER_HOST, WALKER_PORT)).rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
_host = _public.hostname or "localhost"
_public_host = f"[{_host}]" if ":" in _host else _host  # an IPv6 address as ALLOWED_HOSTS writes it
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", list(dict.fromkeys(["127.0.0.1", "localhost", "[::1]", _public_host])))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"{_public.scheme}://{_public.netloc}"])

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` serves ASGI (HTTP and WebSocket)
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.guardian",
    "unfold.contrib.import_export",  # analytics: unfold's styling of the CSV export pages (before import_export)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's passkeys page ("Last used 2 minutes ago")
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",  # API sign-in: refresh tokens outstanding, rotated, revoked
    "adrf",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_structlog",  # structured logs with the request's context, carried into Celery tasks (config/logs.py)
    "django_prometheus",  # request and database metrics on /metrics (config.metrics, docs/metrics.md)
    "axes",  # sign-in page and API login lockout (see "Login protection" below)
    "allauth",  # sign-in with a second factor (see "Sign-in and MFA" below)
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",  # single sign-on per tenant (tenants.identity.sso; docs/identity.md)
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",  # a person's sessions: listed, ended (docs/identity.md, "Sessions")
    "import_export",  # analytics: CSV exports from the admin and the API
    "django_htmx",  # htmx for the console's conversation page, served from its own static files (no CDN)
    "tenants",
    "conversations",
    "channels_app",
    "briefs",
    "agents",
    "hitl",
    "analytics",
    "reports",
    "adplatforms",
    "warehouse",  # events, conversation metrics and approval analytics to BigQuery (docs/warehouse.md)
    "alerts",
]

MIDDLEWARE = [
    "config.health.ProbeMiddleware",  # first: /healthz and /readyz answer any Host (the kubelet probes by pod IP)
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first and last: the whole request is timed
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_structlog.middlewares.RequestMiddleware",  # request id, user and tenant on every log line (config/logs.py)
    "tenants.log_context.RequestIdHeaderMiddleware",  # ...and the request id back in X-Request-ID
    "allauth.account.middleware.AccountMiddleware",
    "tenants.identity.signin.enforcement.MFAEnforcementMiddleware",  # the tenant's MFA policy, before any view
    "tenants.middleware.TenantTimezoneMiddleware",
    "tenants.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into the lockout page
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: the conversation page's steps answer with a fragment
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "config.sync_chain.SyncChainMiddleware",  # last: every middleware above runs in one thread (no hop per step)
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    # Connections are reused through Django's psycopg pool, one per process (Django's advice under ASGI,
    # where each request runs in a fresh thread and persistent connections would leak). config.dbpool
    # keeps a forked child (Celery prefork, the test live server) off its parent's pool.
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DATABASE_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=1),
            "timeout": 10,  # seconds to wait for a free connection before the request fails
        }
    # Parameters bound by PostgreSQL instead of quoted into the SQL text by psycopg: each statement's text is the
    # same every time, which psycopg prepares after its fifth run on a connection, so PostgreSQL parses and plans it
    # once (bench/RESULTS.md, issue 48). Off behind a PgBouncer in transaction mode that keeps no prepared statements.
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        server_side_binding = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("server_side_binding", server_side_binding)
    # The planner's cost of a page read out of order, for the SSD or network storage a managed PostgreSQL runs on:
    # with PostgreSQL's own default (4, a spinning disk's), a big tenant's range reads (a fortnight of agent replies,
    # a month of approvals, a label's conversations) were planned as reads of the whole table, 2-3 times slower
    # (bench/RESULTS.md, "A big tenant"). 0 leaves the server's own (then set it there: ALTER DATABASE ... SET).
    random_page_cost = env_float("DATABASE_RANDOM_PAGE_COST", 1.1, minimum=0)
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and random_page_cost:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={random_page_cost}".strip()
    # Django's default test name, spelled out: Channels' live server (forked after the test database
    # exists) derives "test_" + NAME otherwise, from a NAME that already is the test database's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "walker.sqlite3",
            "OPTIONS": {
                # daphne and the Celery worker write at the same time: WAL lets readers
                # run beside a writer, IMMEDIATE takes the write lock up front and the
                # timeout makes a second writer wait instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not shared-cache memory, so tests with several threads wait for locks like production; one
            # per checkout (pytest-xdist adds the worker), so `--reuse-db` finds it again; in the temporary folder:
            # tests never write in var/.
            "TEST": {"NAME": Path(tempfile.gettempdir()) / f"test-walker-{_CHECKOUT_ID}.sqlite3"},
        }
    }

# The same backends, wrapped by django-prometheus to count connections, queries and their time (docs/metrics.md),
# with its cursor class made once per process (config.db).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace("django.db.backends.", "config.db.", 1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # channels-redis defaults drop messages and connections under load (measured in bench/RESULTS.md):
    # redis-py 8's 5 s socket timeout races the queue layer's 5 s blocking pop, its pool stops at 100
    # connections, and a channel holds 100 messages. The pub/sub layer has no queue to overflow and no
    # blocking pop, uses two connections per process, and passed every soak; the queue layer remains
    # available (CHANNEL_LAYER_BACKEND=queue) with capacity and pool raised.
    _layer_host = {
        "address": REDIS_URL,
        "socket_timeout": env_int("CHANNEL_LAYER_SOCKET_TIMEOUT", 15, minimum=6),
        "socket_connect_timeout": 5,
        "max_connections": env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 1000, minimum=10),
    }
    # Redis's database number separates keys, not pub/sub channels: two deployments (or test workers) on one Redis
    # keep their groups apart by prefix.
    _layer_prefix = env_str("CHANNEL_LAYER_PREFIX", "asgi")
    if env_choice("CHANNEL_LAYER_BACKEND", ("pubsub", "queue"), "pubsub") == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [_layer_host], "prefix": _layer_prefix},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [_layer_host],
                    "prefix": _layer_prefix,
                    "capacity": env_int("CHANNEL_LAYER_CAPACITY", 1000, minimum=100),
                    "expiry": 60,
                },
            }
        }
    # A stalled Redis fails a cache call after this long, not redis-py's 5 s: every API call waited that long on
    # its throttle's read and then answered 500. The throttles now let a call through (core/throttling.py).
    _cache_timeout = env_float("REDIS_CACHE_TIMEOUT", 0.5, minimum=0.05)
    CACHES = {
        "default": {
            # django-redis: one connection pool per process. Django's own Redis cache opens one per cache object,
            # so under daphne per request (Django ticket #35651); it may replace this once that is fixed.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "walker",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": _cache_timeout, "SOCKET_TIMEOUT": _cache_timeout},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The analytics API's and the dashboard's figures in the cache (reports/cache.py, docs/analytics.md): the longest an
# entry is served (the aggregation jobs and approval events replace entries sooner). 0: read the database every time,
# as without Redis, where each process's own memory cannot hear what the workers change.
REPORT_CACHE_SECONDS = env_int("REPORT_CACHE_SECONDS", 300, minimum=0) if REDIS_URL else 0

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    # The embedded broker: kombu's filesystem transport, so `make run` starts a real
    # worker and beat with nothing else installed; in Walker's subclass, whose messages are never read
    # half-written and whose unreadable files are set aside instead of stopping the worker (issue 46).
    CELERY_BROKER_TRANSPORT = "core.filesystem_broker:Transport"
    _broker_dir = Path(env_str("CELERY_FILESYSTEM_DIR") or VAR_DIR / "celery-broker")
    for _folder in ("queue", "processed", "control", "set-aside"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # How often the worker looks for new tasks; an agent's answer waits on it (default 1 s).
        "polling_interval": env_float("CELERY_FILESYSTEM_POLL_SECONDS", 0.05, minimum=0.01),
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "set_aside_folder": str(_broker_dir / "set-aside"),  # message files that could not be decoded
    }
CELERY_TIMEZONE = "UTC"  # the beat schedule's crontabs
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # Celery 6 drops the retry unless asked for
CELERY_TASK_IGNORE_RESULT = True  # callers never wait on results; outcomes live in the database
# There is no result backend (Celery's stateless DisabledBackend): one per process, not one built in every new
# thread, which under daphne is every request that enqueues a task.
CELERY_RESULT_BACKEND_THREAD_SAFE = True
# Queues by latency (docs/architecture.md, "Queues"): a person waits on `answers`, on `notifications` a
# decider or requester does, on `bulk` nobody does. Production runs a worker per queue (`-Q answers`); `make run`
# one worker on all three. A worker started without -Q consumes all three too (they are the declared queues).
# Each on its own direct exchange and routing key, as Celery makes a queue it was not told of (a Queue given no
# exchange would be bound to the default queue's key, and every task would land in all three).
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in ("answers", "notifications", "bulk")]
CELERY_TASK_DEFAULT_QUEUE = "notifications"  # anything unrouted: never ahead of an answer, never behind a brief run
# Every Walker task is routed here, by name or glob, and nowhere else (tests/config/test_queues.py).
CELERY_TASK_ROUTES = {
    # A person is waiting: their answer, the sweep that finds answers whose task was lost, and the channel sends
    # that carry an answer out (a conversation's outbound message, a reply to someone who just wrote). An approval's
    # outcome message shares the send task of every conversation message, so it rides here too.
    "conversations.tasks.answer_message": {"queue": "answers"},
    "conversations.tasks.answer_stragglers": {"queue": "answers"},
    "conversations.tasks.revise_proposal": {"queue": "answers"},  # the agent's revision after an approver's note
    "conversations.tasks.tell_support": {"queue": "notifications"},  # a customer asked for a person
    "channels_app.whatsapp.tasks.deliver_message": {"queue": "answers"},
    "channels_app.whatsapp.tasks.send_reply": {"queue": "answers"},
    "channels_app.email.tasks.send_message": {"queue": "answers"},
    "channels_app.email.tasks.send_answer": {"queue": "answers"},
    # An agent outside Walker that asked waits on its decision's callback, as a person on an answer: never behind
    # the run of approvers' notices a thousand requests filed (bench/RESULTS.md, "Approval desk").
    "hitl.tasks.send_decision_callback": {"queue": "answers"},
    "hitl.tasks.requeue_lost_callbacks": {"queue": "answers"},
    # Approvals: notifications, reminders, the SLA clock, executions and their recovery; sends that answer nobody.
    "hitl.tasks.*": {"queue": "notifications"},
    # Tenant alerts: the rules' evaluation and the notices it sends (alerts/).
    "alerts.tasks.*": {"queue": "notifications"},
    "hitl.slack.tasks.*": {"queue": "notifications"},  # channels_app.slack.tasks, under the names they had in hitl
    "channels_app.whatsapp.tasks.send_verification_code": {"queue": "notifications"},
    # Nobody waits: briefs, analytics, retention, pruning, session clean-up; ad-platform syncs (`adplatforms`).
    "briefs.tasks.*": {"queue": "bulk"},
    "analytics.tasks.*": {"queue": "bulk"},
    "conversations.tasks.prune_chat_events": {"queue": "bulk"},
    "conversations.tasks.apply_message_retention": {"queue": "bulk"},
    "conversations.tasks.close_quiet_conversations": {"queue": "bulk"},
    "tenants.tasks.*": {"queue": "bulk"},
    "adplatforms.tasks.*": {"queue": "bulk"},
    "warehouse.tasks.*": {"queue": "bulk"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # SLA breaches, reminders, escalations, auto-approvals and expiries of pending approvals.
    "hitl-process-deadlines": {"task": "hitl.tasks.process_deadlines", "schedule": 60.0},
    # Messages still waiting for an answer whose task was lost (a broker restart): answered in order.
    "answer-stragglers": {"task": "conversations.tasks.answer_stragglers", "schedule": 60.0},
    # Each user's daily brief, once their local delivery time has come (briefs.services).
    "send-daily-briefs": {"task": "briefs.tasks.send_due_briefs", "schedule": 300.0},
    # Chat events older than CHAT_EVENT_RETENTION_DAYS: messages stay, the replay log is trimmed.
    "prune-chat-events": {"task": "conversations.tasks.prune_chat_events", "schedule": crontab(hour=3, minute=47)},
    # Message content past each tenant's message_retention_days is replaced by a note (rows and counts stay).
    "apply-message-retention": {
        "task": "conversations.tasks.apply_message_retention",
        "schedule": crontab(hour=2, minute=37),
    },
    # Conversations only the agents answered, quiet for SATISFACTION_QUIET_HOURS: closed, their person asked to rate.
    "close-quiet-conversations": {"task": "conversations.tasks.close_quiet_conversations", "schedule": 300.0},
    # Access records past each tenant's access_log_retention_days (never younger than 90 days) are removed.
    "purge-access-logs": {"task": "tenants.tasks.purge_access_logs", "schedule": crontab(hour=2, minute=57)},
    # The two analytics jobs live in reports.tasks under the names they had in analytics (see there).
    # Analytics: conversations with new platform events since each tenant's watermark get their metrics recomputed.
    "analytics-conversation-metrics": {"task": "analytics.tasks.refresh_conversation_metrics", "schedule": 60.0},
    # Analytics: approval periods (day, week, month) touched by approval events since the watermark, and today's.
    "analytics-approval-periods": {"task": "analytics.tasks.aggregate_approvals", "schedule": 300.0},
    # Expired login sessions pile up in django_session; delete them nightly.
    "clear-expired-sessions": {
        "task": "tenants.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # The API's expired refresh tokens (and their revocations) are deleted nightly (tenants.identity.api_tokens).
    "flush-expired-tokens": {"task": "tenants.tasks.flush_expired_tokens", "schedule": crontab(hour=3, minute=27)},
    # Approved executions no worker holds after EXECUTION_RECOVERY_MINUTES (a killed worker) are sent again.
    "hitl-recover-executions": {"task": "hitl.tasks.recover_executions", "schedule": 120.0},
    # Decision callbacks to outside agents whose attempt is overdue (a lost task) are sent again (hitl.callbacks).
    "hitl-requeue-lost-callbacks": {"task": "hitl.tasks.requeue_lost_callbacks", "schedule": 300.0},
    # Ad platform changes silent past PLATFORM_CHANGE_LEASE_SECONDS (a killed worker) are read back from the platform.
    "hitl-read-back-silent": {"task": "hitl.tasks.read_back_silent_executions", "schedule": 15.0},
    # Ad platform connections whose sync is due (each connection's sync_every_minutes), each claimed once.
    "adplatforms-sync-due": {"task": "adplatforms.tasks.sync_due_connections", "schedule": 60.0},
    # Each ad account's completed days: Walker's campaign rows against the account's own totals (adplatforms.reconcile).
    "adplatforms-reconcile": {"task": "adplatforms.tasks.reconcile_accounts", "schedule": crontab(hour=6, minute=7)},
    # Performance rules that are due (hourly, or daily at a time in the tenant's zone), each claimed once: their
    # firings filed as proposals through request_approval (adplatforms.rules).
    "adplatforms-run-rules": {"task": "adplatforms.tasks.run_due_rules", "schedule": 60.0},
    # The platforms' recommendations whose proposal was decided: a rejected one dismissed on Google, each once
    # (a conditional update claims it), so Google stops offering it within a minute (adplatforms.recommendations).
    "adplatforms-settle-recommendations": {"task": "adplatforms.tasks.settle_recommendations", "schedule": 60.0},
    # New platform events, conversation metrics and approval analytics to each BigQuery destination, in batches.
    # Every 5 minutes: one load job per table and destination a run, well under BigQuery's 1,500 a day per table.
    "warehouse-export": {"task": "warehouse.tasks.export_to_warehouses", "schedule": 300.0},
    # Every enabled alert rule against its threshold: incidents opened and cleared, one notice each way (alerts/).
    "alerts-evaluate-rules": {"task": "alerts.tasks.evaluate_rules", "schedule": 60.0},
}

# --- Execution recovery (issue 17) ------------------------------------------------
# Redis redelivers a task whose worker died only after the visibility timeout (kombu's default: one hour).
# It must outlast the longest countdown a task waits for (a retry: at most 8 minutes) plus its run, or
# Redis hands waiting tasks to a second worker; 15 minutes fits. The recovery sweep above covers the rest.
# Production (DEBUG=0) refuses less than 10 minutes; a development or test run may go lower (the fault
# tests, tests/faults, have a restarted worker take over a killed one's tasks within seconds).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=1 if DEBUG else 600),
    }
EXECUTION_RECOVERY_MINUTES = env_int("EXECUTION_RECOVERY_MINUTES", 10, minimum=1)

# --- Providers ------------------------------------------------------------------
WHATSAPP_PROVIDER = env_choice("WHATSAPP_PROVIDER", ("console", "twilio"), "console")
if WHATSAPP_PROVIDER == "twilio":
    require(["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"], "needed when WHATSAPP_PROVIDER=twilio")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_TIMEOUT = env_int("TWILIO_TIMEOUT", 10, minimum=1)  # seconds for one call to Twilio's API

EMAIL_PROVIDER = env_choice("EMAIL_PROVIDER", ("console", "sendgrid"), "console")
if EMAIL_PROVIDER == "sendgrid":
    require(
        [
            "SENDGRID_API_KEY",
            "SENDGRID_FROM_EMAIL",
            "SENDGRID_WEBHOOK_PUBLIC_KEY",
            "SENDGRID_INBOUND_DOMAIN",
            "SENDGRID_INBOUND_USER",
            "SENDGRID_INBOUND_PASSWORD",
        ],
        "needed when EMAIL_PROVIDER=sendgrid",
    )
# Every email, Django's own included, goes through Walker's email provider (channels_app/email/providers.py):
# `console` stores each one in EMAIL_CONSOLE_DIR and prints it, `sendgrid` sends it with the SendGrid SDK.
EMAIL_BACKEND = "channels_app.email.backend.ProviderEmailBackend"
EMAIL_CONSOLE_DIR = Path(env_str("EMAIL_CONSOLE_DIR") or VAR_DIR / "mail")
SENDGRID_API_KEY = env_str("SENDGRID_API_KEY")
SENDGRID_API_HOST = env_str("SENDGRID_API_HOST", "https://api.sendgrid.com").rstrip("/")
SENDGRID_FROM_EMAIL = env_str("SENDGRID_FROM_EMAIL", "walker@localhost")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = SENDGRID_FROM_EMAIL
SENDGRID_WEBHOOK_PUBLIC_KEY = env_str("SENDGRID_WEBHOOK_PUBLIC_KEY")
# Replies come back to reply+<conversation token>@SENDGRID_INBOUND_DOMAIN (the domain routed to Inbound Parse).
SENDGRID_INBOUND_DOMAIN = env_str("SENDGRID_INBOUND_DOMAIN", "localhost")
# Inbound Parse signs nothing: its URL carries these as HTTP basic auth. Without them (DEBUG=0) every post is refused.
SENDGRID_INBOUND_USER = env_str("SENDGRID_INBOUND_USER", "walker" if DEBUG else "")
SENDGRID_INBOUND_PASSWORD = env_str("SENDGRID_INBOUND_PASSWORD", "walker-inbound" if DEBUG else "")
SENDGRID_EVENT_MAX_AGE_SECONDS = 600  # signed event posts older than this (or replayed) are refused

AGENT_ENGINE = env_choice("AGENT_ENGINE", ("builtin", "langflow", "openai"), "builtin")
if AGENT_ENGINE == "langflow":
    require(["LANGFLOW_URL", "LANGFLOW_FLOW_ID"], "needed when AGENT_ENGINE=langflow")
if AGENT_ENGINE == "openai":
    require(["OPENAI_API_KEY", "OPENAI_MODEL"], "needed when AGENT_ENGINE=openai")
LANGFLOW_URL = env_str("LANGFLOW_URL").rstrip("/")
LANGFLOW_FLOW_ID = env_str("LANGFLOW_FLOW_ID")
LANGFLOW_API_KEY = env_str("LANGFLOW_API_KEY")
LANGFLOW_TOOLS_COMPONENT = env_str("LANGFLOW_TOOLS_COMPONENT")  # the flow component given the read tools URL (tweaks)
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "https://api.openai.com/v1").rstrip("/")
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_MODEL = env_str("OPENAI_MODEL")
GATEWAY_MAX_ACTIONS_PER_HOUR = env_int("GATEWAY_MAX_ACTIONS_PER_HOUR", 10, minimum=1)  # per conversation
GATEWAY_MAX_READS_PER_HOUR = env_int("GATEWAY_MAX_READS_PER_HOUR", 120, minimum=1)  # read tool calls, per conversation
GATEWAY_MAX_DAILY_BUDGET = env_int("GATEWAY_MAX_DAILY_BUDGET", 50_000, minimum=1)  # dollars; above: set by hand
# US dollars per unit of each currency, for the risk score's money thresholds (hitl.risk), which are in dollars:
# approximate on purpose (a score, not a bill). RISK_DOLLAR_RATES="JPY=0.0065,EUR=1.08" replaces or adds rates; a
# currency without one scores its cost as large (caution), saying so.
RISK_DOLLAR_RATES = env_rates(
    "RISK_DOLLAR_RATES",
    {
        "USD": Decimal("1"), "EUR": Decimal("1.08"), "GBP": Decimal("1.27"), "JPY": Decimal("0.0065"),
        "CAD": Decimal("0.72"), "AUD": Decimal("0.65"), "MXN": Decimal("0.055"), "BRL": Decimal("0.18"),
        "INR": Decimal("0.012"),
    },
)  # fmt: skip
# URLs tenants set (action webhook, Slack) are https and must resolve to public addresses (tenants/outbound.py).
OUTBOUND_ALLOW_HTTP = env_bool("OUTBOUND_ALLOW_HTTP", DEBUG)  # plain http too: for local development
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS")  # private CIDRs a tenant may still reach
ACTION_WEBHOOK_TIMEOUT = env_int("ACTION_WEBHOOK_TIMEOUT", 10, minimum=1)  # seconds for one signed action POST
# An execution silent this long lost its worker mid-call; only then may an admin mark it failed.
EXECUTION_STUCK_MINUTES = env_int("EXECUTION_STUCK_MINUTES", 15, minimum=1)
ONE_CLICK_LINK_HOURS = env_int("ONE_CLICK_LINK_HOURS", 48, minimum=1)  # lifetime of decision links in emails
# The Slack app for approvals (channels_app/slack, docs/slack.md): the Web API's address (tests point it at a local
# fake) and how long a link that ties a Slack user to a Walker sign-in lasts.
SLACK_API_BASE_URL = env_str("SLACK_API_BASE_URL", "https://slack.com/api/")
SLACK_LINK_MINUTES = env_int("SLACK_LINK_MINUTES", 30, minimum=1)
# "Add to Slack" (channels_app/slack/install.py): Walker's own Slack app, one per installation. All three set: the
# console offers the button; empty: only the manual form (a workspace's own app). Tests point the address at a fake.
SLACK_CLIENT_ID = env_str("SLACK_CLIENT_ID")
SLACK_CLIENT_SECRET = env_str("SLACK_CLIENT_SECRET")
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET")
SLACK_OAUTH_AUTHORIZE_URL = env_str("SLACK_OAUTH_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize")
CHAT_ALLOWED_ORIGINS = env_list("CHAT_ALLOWED_ORIGINS")  # other sites that embed the widget, e.g. https://acme.com
if _hostless := [origin for origin in CHAT_ALLOWED_ORIGINS if urlsplit(origin).scheme not in ("http", "https")]:
    raise ImproperlyConfigured(
        f"CHAT_ALLOWED_ORIGINS are origins with their scheme (https://acme.com, https://*.acme.com), got {_hostless}"
    )
CHAT_RATE_LIMIT_PER_MINUTE = env_int("CHAT_RATE_LIMIT_PER_MINUTE", 20, minimum=1)  # per user, all tabs
CHAT_TYPING_PER_MINUTE = env_int("CHAT_TYPING_PER_MINUTE", 120, minimum=1)  # typing frames per user; more are dropped
CHAT_MAX_SOCKETS_PER_USER = env_int("CHAT_MAX_SOCKETS_PER_USER", 20, minimum=1)  # one more is closed with 4429
# Each open socket renews its place in that count every third of this; a crashed daphne's sockets lapse after it.
CHAT_SOCKET_LEASE_SECONDS = env_int("CHAT_SOCKET_LEASE_SECONDS", 60, minimum=1)
CHAT_RESYNC_SECONDS = env_int("CHAT_RESYNC_SECONDS", 30, minimum=1)  # each socket checks the store for lost events
# Without Redis the in-memory channel layer does not reach the Celery worker's process: a socket (or an API
# long poll) waiting for an answer checks the event store this often instead. 0: rely on the channel layer.
EVENT_POLL_SECONDS = env_float("EVENT_POLL_SECONDS", 0 if REDIS_URL else 0.1, minimum=0)
# Likewise an open chat with no answer awaited: what a worker tells it (an approval's outcome) is read from the
# store this often (jittered ±50%). 0: only the channel layer, and the resync every CHAT_RESYNC_SECONDS.
CHAT_IDLE_POLL_SECONDS = env_float("CHAT_IDLE_POLL_SECONDS", 0 if REDIS_URL else 0.75, minimum=0)
# How often each process's reader of the approval history and the conversations' events looks for events to show
# in its open consoles (channels_app.console.follow): approvals, and the inbox's messages in and answers out. On
# every shape: the store is where every process records them.
CONSOLE_POLL_SECONDS = env_float("CONSOLE_POLL_SECONDS", 0.5, minimum=0.05)
API_EVENTS_MAX_WAIT = env_int("API_EVENTS_MAX_WAIT", 30, minimum=0)  # longest long poll of the events API
# Agents outside Walker asking for approval (docs/approval-desk.md): the requests of a tenant that may wait for a
# decision at once (429 beyond), and how often one integration token may call /api/v1/approval-requests/.
APPROVAL_REQUESTS_MAX_WAITING = env_int("APPROVAL_REQUESTS_MAX_WAITING", 1000, minimum=1)
APPROVAL_REQUESTS_RATE = env_str("APPROVAL_REQUESTS_RATE", "300/minute")
# Hours after its approval an outside agent's action that it carries out should have its outcome reported by:
# past them, the console flags it ("Outcome overdue").
APPROVAL_RESULT_DUE_HOURS = env_int("APPROVAL_RESULT_DUE_HOURS", 24, minimum=1)
CHAT_TOKEN_TTL_SECONDS = env_int("CHAT_TOKEN_TTL_SECONDS", 3600, minimum=60)
# Access records of no tenant (a platform superuser's reads) are kept this many days (at least 90).
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 1095, minimum=90)
CHAT_EVENT_RETENTION_DAYS = env_int("CHAT_EVENT_RETENTION_DAYS", 7, minimum=1)  # replay window for reconnects
CONVERSATION_IDLE_HOURS = env_int("CONVERSATION_IDLE_HOURS", 24, minimum=1)  # a quieter conversation is closed
# Satisfaction (conversations.satisfaction): a rating is taken this long after it was asked for, once.
SATISFACTION_WINDOW_HOURS = env_int("SATISFACTION_WINDOW_HOURS", 72, minimum=1)
# A conversation only the agents answered, quiet this long after their answer, is closed and its person asked for a
# rating (conversations.quiet); below CONVERSATION_IDLE_HOURS, so the ask still falls in WhatsApp's 24-hour window.
SATISFACTION_QUIET_HOURS = env_int("SATISFACTION_QUIET_HOURS", 2, minimum=1)
INBOUND_MAX_CHARS = env_int("INBOUND_MAX_CHARS", 4000, minimum=1)
AGENT_ENGINE_TIMEOUT = env_int("AGENT_ENGINE_TIMEOUT", 30, minimum=1)  # seconds for one Langflow/OpenAI call
AGENT_REPLY_MAX_CHARS = env_int("AGENT_REPLY_MAX_CHARS", 4000, minimum=200)  # longer answers are cut at a word
ANSWER_ATTEMPTS = env_int("ANSWER_ATTEMPTS", 3, minimum=1)  # tries at answering a message before an apology
# The chat shows the agent typing once an answer has taken this long (a quicker one would only flash it).
AGENT_TYPING_AFTER_SECONDS = env_float("AGENT_TYPING_AFTER_SECONDS", 0.5, minimum=0)
# The console's inbox: a customer waiting on a person who holds their conversation should have a reply within
# this many minutes (the list's SLA column counts down to it).
INBOX_REPLY_SLA_MINUTES = env_int("INBOX_REPLY_SLA_MINUTES", 15, minimum=1)
# The inbox's All and per-channel counts in the cache (conversations/inbox_totals.py): dropped whenever a
# conversation is created or deleted, else kept this long. 0 without Redis: each process would keep its own.
INBOX_TOTALS_CACHE_SECONDS = env_int("INBOX_TOTALS_CACHE_SECONDS", 300, minimum=0) if REDIS_URL else 0

# Numbers typed without a country code are read in this region; blank means
# every number must be international (+<country code>...).
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION").upper() or None


# --- Ad platforms (adplatforms/) ---------------------------------------------------
# One place for each platform's API version: upgrading is changing it here (or in the environment) after
# reading the platform's changelog for the fields Walker reads and writes (README, "Ad platforms").
GOOGLE_ADS_API_VERSION = env_str("GOOGLE_ADS_API_VERSION", "v26")
GOOGLE_ADS_API_URL = env_str("GOOGLE_ADS_API_URL", "https://googleads.googleapis.com").rstrip("/")
GOOGLE_OAUTH_TOKEN_URL = env_str("GOOGLE_OAUTH_TOKEN_URL", "https://oauth2.googleapis.com/token")
META_GRAPH_API_VERSION = env_str("META_GRAPH_API_VERSION", "v26.0")
META_GRAPH_API_URL = env_str("META_GRAPH_API_URL", "https://graph.facebook.com").rstrip("/")
# The "Connect" buttons (adplatforms/connect/): Walker's own OAuth client and developer token for Google Ads, its own
# Meta app for Facebook Login for Business, one per installation. Set, the console offers the button; empty, only
# the manual form (an account's own credentials). Tests point the sign-in pages at fakes on 127.0.0.1.
GOOGLE_OAUTH_CLIENT_ID = env_str("GOOGLE_OAUTH_CLIENT_ID")
GOOGLE_OAUTH_CLIENT_SECRET = env_str("GOOGLE_OAUTH_CLIENT_SECRET")
GOOGLE_ADS_DEVELOPER_TOKEN = env_str("GOOGLE_ADS_DEVELOPER_TOKEN")
GOOGLE_OAUTH_AUTHORIZE_URL = env_str("GOOGLE_OAUTH_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth")
META_APP_ID = env_str("META_APP_ID")
META_APP_SECRET = env_str("META_APP_SECRET")
META_LOGIN_CONFIG_ID = env_str("META_LOGIN_CONFIG_ID")  # Facebook Login for Business: the configuration's id
META_OAUTH_DIALOG_URL = env_str("META_OAUTH_DIALOG_URL", "https://www.facebook.com").rstrip("/")
# How long a started "Connect" may take, from the button to the account picked (minutes).
CONNECT_FLOW_MINUTES = env_int("CONNECT_FLOW_MINUTES", 15, minimum=1)
AD_PLATFORM_TIMEOUT = env_float("AD_PLATFORM_TIMEOUT", 30.0, minimum=1.0)  # seconds for one call
# An approved change's attempt on an ad platform writes nothing after this many seconds (one call's timeout before
# it at the latest); silent past it, the change is read back from the platform (hitl.services.read_back).
PLATFORM_CHANGE_LEASE_SECONDS = env_int(
    "PLATFORM_CHANGE_LEASE_SECONDS", max(45, int(AD_PLATFORM_TIMEOUT) + 15), minimum=int(AD_PLATFORM_TIMEOUT) + 1
)
# Walker's own ceiling on calls per minute against one shared quota (a Google developer token, a Meta app), all
# tenants and workers together (adplatforms.limiter); the platforms' own throttles still park it sooner.
AD_PLATFORM_CALLS_PER_MINUTE = env_int("AD_PLATFORM_CALLS_PER_MINUTE", 600, minimum=1)


# --- Warehouse (warehouse/, docs/warehouse.md) -------------------------------------------
# Empty: Google's own BigQuery API. Tests point it (and the token address) at a fake on 127.0.0.1.
WAREHOUSE_BIGQUERY_API_ENDPOINT = env_str("WAREHOUSE_BIGQUERY_API_ENDPOINT").rstrip("/")
WAREHOUSE_TOKEN_URI = env_str("WAREHOUSE_TOKEN_URI", "https://oauth2.googleapis.com/token")
# One batch is one load job, and BigQuery allows 1,500 load jobs per table a day (failed ones included): the beat
# run every 5 minutes sends one job per table when it has rows (288 a day), at most WAREHOUSE_BATCHES_PER_RUN when
# behind (576); the backfill command's batches are larger (docs/warehouse.md, "Load-job quota").
WAREHOUSE_BATCH_ROWS = env_int("WAREHOUSE_BATCH_ROWS", 20000, minimum=1)  # rows per load job of a beat run
WAREHOUSE_BATCHES_PER_RUN = env_int("WAREHOUSE_BATCHES_PER_RUN", 2, minimum=1)  # per table, per beat run
WAREHOUSE_BACKFILL_BATCH_ROWS = env_int("WAREHOUSE_BACKFILL_BATCH_ROWS", 100000, minimum=1)  # export_events
# How long a run waits for a load job; one still running then is looked up by its id next run.
WAREHOUSE_JOB_WAIT_SECONDS = env_float("WAREHOUSE_JOB_WAIT_SECONDS", 60.0, minimum=0.0)
# Rows younger than this may belong to transactions not committed yet: they wait for the next run.
WAREHOUSE_LAG_SECONDS = env_int("WAREHOUSE_LAG_SECONDS", 120, minimum=0)
WAREHOUSE_TIMEOUT = env_float("WAREHOUSE_TIMEOUT", 30.0, minimum=1.0)  # seconds for one call
# Quota errors are retried with exponential backoff from the first delay for this long, then next run.
WAREHOUSE_RETRY_INITIAL_SECONDS = env_float("WAREHOUSE_RETRY_INITIAL_SECONDS", 1.0, minimum=0.01)
WAREHOUSE_RETRY_SECONDS = env_float("WAREHOUSE_RETRY_SECONDS", 60.0, minimum=0.1)
# How long a run holds a table of a destination; a run that died leaves it to expire. Longer than a run can last.
WAREHOUSE_LEASE_SECONDS = env_int("WAREHOUSE_LEASE_SECONDS", 600, minimum=1)


# --- Encryption at rest (tenants/crypto.py) --------------------------------------------
# Personal data and provider secrets are stored encrypted. ENCRYPTION_KEYS: comma-separated Fernet keys
# (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`), newest
# first; older keys only decrypt until `manage.py rotate_encryption_keys` has re-encrypted everything.
# PII_HASH_KEY keys the hashes that look up encrypted phones and emails; it is never rotated.
# The embedded default derives both from SECRET_KEY; DEBUG=0 requires them.
def _derived_key(purpose: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"walker:{purpose}:{SECRET_KEY}".encode()).digest()).decode()


ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", [_derived_key("encryption")])
PII_HASH_KEY = env_str("PII_HASH_KEY") or _derived_key("pii-hash")

# --- Auth and permissions -----------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any check
    "tenants.backends.TenantModelBackend",  # ModelBackend, with the tenant in the same query (email= from allauth)
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions, logins only
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"  # /accounts/login/, allauth's: anyone; /admin/login/ sends there too (secure_admin_login)
LOGIN_REDIRECT_URL = "home"  # the console for staff, the chat for members
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in and MFA (django-allauth; docs/identity.md) -----------------------------------
# People sign in with their email and password, then a second factor when they have one: an authenticator
# app's code (TOTP), a recovery code, or a passkey (WebAuthn), which alone also signs in. Accounts are made
# by admins: no signup, no username, no email verification (allauth would keep addresses in clear in its
# EmailAddress table, which Walker never fills). Who must have a second factor is each tenant's policy.
ACCOUNT_ADAPTER = "tenants.identity.signin.adapters.AccountAdapter"
MFA_ADAPTER = "tenants.identity.signin.adapters.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# The reset link's token without allauth's EmailAddress row (its default copies the address there, in clear).
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "tenants.identity.signin.password_reset.PasswordResetTokenGenerator"
ACCOUNT_LOGOUT_ON_GET = False  # sign out by POST only
ACCOUNT_SESSION_REMEMBER = None  # the form's "Remember me" decides, as allauth's default
# One lockout per form: django-axes guards the password form (below), so allauth's own password limits are
# off; allauth's "login_failed" limit is what counts wrong codes (5 per 5 minutes per person, 10 a minute per
# address), on the MFA step and on re-authentication.
# "reset_password" stays allauth's (20 a minute per address, 5 per email); Walker's own pages add two actions:
# following an invitation's link (tenants.identity.signin.invitation_page) and asking to change one's address.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "20/m/ip,5/h/key",
    "accept_invitation": "10/m/ip",
    "change_email": "5/h/user",
}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # "forgot password" for an unknown address sends nothing, and says the same
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Walker: "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_ALLOW_UNVERIFIED_EMAIL = True  # addresses are set by admins, never verified by allauth
MFA_TOTP_ISSUER = "Walker"
MFA_TRUST_ENABLED = True  # "trust this browser": the tenant's mfa_trust_days, at most the cookie's age
MFA_TRUST_COOKIE_AGE = timedelta(days=90)  # tenants.models.tenant.MAX_MFA_TRUST_DAYS
# WebAuthn needs a secure context: https, or http on localhost (not 127.0.0.1: no IP address can be the site a
# passkey belongs to), so `make run` opened as http://localhost:8000 works without it. allauth's flag is only for
# an http origin that is not a loopback (never production).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
if MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN and not DEBUG:
    raise ImproperlyConfigured("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is for development only (DEBUG=1).")
# Single sign-on: each tenant's OpenID Connect provider (tenants.models.identity_providers) is an allauth app built
# per request (tenants.identity.sso.social_apps), never stored; Walker's provider class checks the ID token's
# signature and
# nonce too (tenants.identity.sso.provider). No tokens are kept, and allauth's EmailAddress rows are never made.
SOCIALACCOUNT_ADAPTER = "tenants.identity.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "tenants.identity.sso.provider.TenantOIDCProvider", "OAUTH_PKCE_ENABLED": True}
}
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = (
    False  # an existing account is linked by tenants.identity.sso.admission's rules only
)
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST (the company sign-in form)
# A sign-in domain is used once its tenant has proven it with a DNS TXT record (tenants.identity.sso.domain_proof), read
# through these nameservers (addresses, comma-separated; empty: the system's resolver) on this port.
SSO_DNS_NAMESERVERS = env_list("SSO_DNS_NAMESERVERS")
SSO_DNS_PORT = env_int("SSO_DNS_PORT", 53, minimum=1)
SSO_DNS_TIMEOUT_SECONDS = env_float("SSO_DNS_TIMEOUT_SECONDS", 5.0, minimum=0.1)
# Platform superusers (no tenant, no policy) need a second factor too, except in development, so `make run`'s
# first hour needs no authenticator app.
MFA_REQUIRED_FOR_SUPERUSERS = env_bool("MFA_REQUIRED_FOR_SUPERUSERS", not DEBUG)
# Sessions (allauth.usersessions): one row per sign-in, with the browser's name and no client address
# (tenants.identity.signin.sessions blanks it). Not tracked per request: that would be a write on every page; "started"
# is what the list shows.
USERSESSIONS_ADAPTER = "tenants.identity.signin.sessions.UserSessionsAdapter"
USERSESSIONS_TRACK_ACTIVITY = False

# --- Login protection ----------------------------------------------------------------
# How many reverse proxies (load balancers) stand in front of Walker and append to X-Forwarded-For.
# 0: the address is the TCP peer's and X-Forwarded-For is ignored, so a client cannot pick its own.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
# django-axes locks the sign-in page (allauth's) and the API login after AXES_FAILURE_LIMIT wrong passwords, per
# account and per client address (tracked separately), for AXES_COOLOFF_TIME; admins unlock under "Axes" in the
# console or with `manage.py unlock_login <email>` / `axes_reset_ip <address>`. Its records keep no address in
# clear: the account is counted by the keyed hash of its email (the callable below), the forms' fields are
# starred in the POST data it keeps, and its log of successful sign-ins (which would name the account by its
# email, with no callable to hash it) is off. A person's erasure deletes their records (tenants.identity.login_guard).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 20, minimum=1)  # the API's 10/minute throttle comes first
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"  # allauth's sign-in form; the API passes email=, read by the callable below
AXES_USERNAME_CALLABLE = "tenants.identity.login_guard.attempted_username"
AXES_CLIENT_IP_CALLABLE = "tenants.identity.login_guard.client_ip"
AXES_LOCKOUT_CALLABLE = "tenants.identity.login_guard.lockout_response"  # 429: JSON for the API, a page for the admin
AXES_RESET_ON_SUCCESS = True  # an admin sign-in with the right password clears the earlier misses
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["login", "username", "email", "ip_address"]  # starred in the POST data of an attempt

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "config.authentication.IntegrationTokenAuthentication",  # Token wk_… (or Bearer wk_…): scoped, see docs/api.md
        "config.authentication.TenantTokenAuthentication",  # DRF's, with the tenant in the same query
        "config.authentication.WalkerJWTAuthentication",  # Bearer <access token> from /api/v1/auth/token/
    ],
    # An integration token's scopes narrow what its owner may do (tenants.identity.token_scopes); views that set
    # their own
    # permission classes name it too.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tenants.identity.token_scopes.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberWithSizePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [  # DRF's, letting a call through when the cache does not answer
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "login": env_str("API_THROTTLE_LOGIN", "10/minute"),  # password guessing on /api/auth/token/
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The API reads JSON only (other bodies: 415). Bad JSON is a 400 with a reason: nesting bounded, NUL and
    # lone surrogates refused (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["config.parsers.SafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "config.exceptions.exception_handler",  # every {"detail"} error also names its code
    # Throttles key anonymous callers by address: X-Forwarded-For counts only as far as our own proxies wrote it.
    "NUM_PROXIES": NUM_PROXIES,
}
# API sign-in (djangorestframework-simplejwt, docs/api.md): short-lived access tokens, refresh tokens that rotate
# and are blacklisted once used, and revoked on a new password, a new role, deactivation or "sign out everywhere"
# (tenants.api_sign_out). Signed with their own key, so rotating SECRET_KEY does not sign everyone out and
# rotating this key signs out only the API's clients; DEBUG=0 requires it.
if not DEBUG:
    require(["JWT_SIGNING_KEY"], "needed when DEBUG=0")
SIMPLE_JWT = {
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY") or _derived_key("jwt-signing"),
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=env_int("JWT_REFRESH_HOURS", 24, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "CHECK_REVOKE_TOKEN": True,  # an access token carries a hash of the password it was issued under
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
# /api/schema/ and /api/docs/: public in development; in production only for signed-in staff unless set.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Walker API",
    "DESCRIPTION": "Conversations with Walker's marketing agents and the human approvals they wait on.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["config.openapi.SchemaReaders"],  # staff only unless API_SCHEMA_PUBLIC
    # Served from drf-spectacular-sidecar: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or "channel"; name each choice set so clients get stable enum names.
    # Every operation documents its error answers (400, 401, 403, 404, 429, and 409 for writes): config/openapi.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "conversations.models.Channel",
        "StartChannelEnum": ["api", "chat"],
        "ConversationStatusEnum": "conversations.models.Conversation.Status",
        "MessageStatusEnum": "conversations.models.Message.Status",
        "ApprovalStatusEnum": "hitl.models.ApprovalStatus",
        "AgentTypeEnum": "agents.models.AgentType",
        "ActionTypeEnum": "agents.actions.ActionType",
        "AnswerEnum": "hitl.models.Answer",  # what an approver answers an agent outside Walker
    },
}

# --- Exports (django-import-export) ---------------------------------------------------
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"  # exporting a list needs the right to view it
# Formulas are neutralised by tenants.exports.spreadsheet_safe (a leading quote); the library's escaping deletes
# a leading "=" and leaves "+", "-" and "@" formulas.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# Marketing data imports (agents.import_files, docs/imports.md): a larger file is refused whole, with the reason.
IMPORT_MAX_BYTES = env_bytes("IMPORT_MAX_BYTES", 2 * 1024**2, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 10_000, minimum=1)
# The console's previewed file waits in the cache, which every web process shares, until "Confirm import"
# (agents/import_storage.py); unconfirmed, it is gone after this long.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "agents.import_storage.SharedUploadStorage"
IMPORT_UPLOAD_SECONDS = env_int("IMPORT_UPLOAD_SECONDS", 3600, minimum=60)

# --- Internationalisation and time ---------------------------------------------
LANGUAGE_CODE = "en-us"
# A second locale proves the strings are translatable; each person picks theirs (User.language).
LANGUAGES = [("en", "English"), ("es", "Español")]
# Walker's own catalogues, then django-unfold's Spanish (unfold ships none; `make messages` gathers its strings).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "unfold"]
TIME_ZONE = "UTC"  # stored and scheduled in UTC; a user's zone applies only on display
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Request bodies ---------------------------------------------------------------------
# Django's limit on what it reads into memory (form fields and request.body, not uploaded files), its default
# spelled out: SendGrid's event batches stay under it (channels_app/email/views.py answers 413 above it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Any body above this is answered 413 before Django reads it (config/body_limit.py). The largest post Walker
# takes is SendGrid's Inbound Parse: a message of up to 30 MB with its attachments, plus the form around it.
# The proxy in front must refuse larger bodies itself: daphne holds a body whole before Walker sees it (README).
REQUEST_BODY_MAX_BYTES = env_bytes("REQUEST_BODY_MAX_BYTES", 32 * 1024**2, minimum=DATA_UPLOAD_MAX_MEMORY_SIZE)

# --- Security (all on when DEBUG=0; `check --deploy` is clean) -----------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Prometheus scrapes (with its token, inside the cluster) over plain HTTP; the probes never reach here
# (config.health.ProbeMiddleware answers them first).
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
if env_bool("SECURE_PROXY_SSL_HEADER", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# --- Admin theme -------------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": "Walker",
    "SITE_HEADER": "Walker",
    "SITE_SUBHEADER": _("Agents with a human in the loop"),
    "SITE_SYMBOL": "support_agent",
    "SITE_FAVICONS": [{"rel": "icon", "type": "image/svg+xml", "href": lambda request: static("favicon.svg")}],
    # Unfold's purple, its 500 a little lighter: in the dark theme links are primary-500 on base-900, and unfold's
    # own 62.7 % lightness gives 4.3:1 there (WCAG AA asks 4.5:1; tests/browser checks with axe-core).
    "COLORS": {"primary": {"500": "oklch(66% .25 304)"}},
    "SITE_URL": "/chat/",  # "Return to site": the person's own chat, the one page outside the console
    "SHOW_HISTORY": True,
    "SHOW_LANGUAGES": True,  # the user menu's language switch posts to set_language, which saves User.language
    "SIDEBAR": {
        "show_search": True,
        # Every admin list is in a group of config.sidebar, so the "All applications" list by Django app is not offered.
        "show_all_applications": False,
        "navigation": "config.sidebar.navigation",  # groups by the work, each role its entries, the queue's badge
    },
    # Above the approval queue: the inbox (the default for deciders), everything pending, everything.
    "TABS": [
        {
            "models": ["hitl.hitlapproval"],
            "items": [
                {
                    "title": _("Waiting for me"),
                    "link": "/admin/hitl/hitlapproval/?queue=mine",
                    "active": "hitl.inbox.mine_tab_active",
                },
                {
                    "title": _("All pending"),
                    "link": "/admin/hitl/hitlapproval/?queue=pending",
                    "active": "hitl.inbox.pending_tab_active",
                },
                {
                    "title": _("Everything"),
                    "link": "/admin/hitl/hitlapproval/?queue=all",
                    "active": "hitl.inbox.everything_tab_active",
                },
            ],
        }
    ],
    "DASHBOARD_CALLBACK": "config.landing.landing_callback",  # the admin index: the viewer's own work
    "STYLES": [lambda request: static("admin/walker-console.css")],  # the console's own rules (phone cards)
    "SCRIPTS": [
        lambda request: reverse("javascript-catalog"),  # gettext() for the scripts below, in the viewer's language
        lambda request: static("admin/walker-live.js"),  # live queue and dashboard updates
        lambda request: static("admin/walker-charts.js"),  # analytics: click a bar or point for the list behind it
        lambda request: static("admin/walker-sla.js"),  # the queue's SLA column counts down live
    ],
}

# --- Metrics (docs/metrics.md) -----------------------------------------------------
# /metrics answers only a request bearing this token (Authorization: Bearer …); unset, the path is a 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# A Celery worker's main process serves its own and its children's metrics on this port (0: not served). Never
# behind an ingress: only Prometheus reaches it (docs/metrics.md).
METRICS_WORKER_PORT = env_int("METRICS_WORKER_PORT", 0, minimum=0)
METRICS_WORKER_ADDR = env_str("METRICS_WORKER_ADDR", "127.0.0.1") or "127.0.0.1"

# --- Logging -----------------------------------------------------------------------
# --- Logs (docs/deploy.md, "Logs") ---------------------------------------------------------------------
# One JSON object per line in production, readable lines in development; every line carries the request id (the
# proxy's X-Request-ID when well formed), tenant and user bound for the request, carried into the Celery tasks it
# enqueues; phones, emails and card numbers are masked (tenants.privacy.log_privacy).
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "console"), "console" if DEBUG else "json")
LOG_LEVEL = env_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = logs.logging_settings(LOG_FORMAT, LOG_LEVEL)
logs.configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True  # the request's context travels in the headers of the tasks it enqueues
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # a person's address is personal data

# --- Error reports (optional): Sentry when SENTRY_DSN is set, personal data masked before sending -----------------
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production" if not DEBUG else "development")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0)
if SENTRY_DSN:
    sentry.start(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
