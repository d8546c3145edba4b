"""Logging: structlog through the standard library, one handler on the root logger for every record.

Walker's structlog loggers and every library's `logging.getLogger(...)` end in the same formatter, which adds the
bound context (request id, tenant, user, task), masks personal data (`tenants.privacy.log_privacy`) and renders a JSON
object per line (`LOG_FORMAT=json`, production's default) or a readable line (`console`, development's).
"""

import structlog

from tenants.privacy.log_privacy import mask_personal_data

# Added to Walker's structlog events and to records of plain `logging` loggers alike.
_CONTEXT = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

# Tracebacks as data in JSON, without the frames' local variables (they hold whatever the code held).
_JSON = [
    structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False)),
    mask_personal_data,
    structlog.processors.JSONRenderer(),
]
# Tracebacks as text, masked like the rest before the line is written.
_CONSOLE = [
    structlog.processors.format_exc_info,
    mask_personal_data,
    structlog.dev.ConsoleRenderer(colors=False),
]


def configure_structlog() -> None:
    """structlog hands its events to the standard library, whose one formatter renders them (logging_settings)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_CONTEXT,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(log_format: str) -> structlog.stdlib.ProcessorFormatter:
    """The one formatter: context added to plain `logging` records too, personal data masked, then rendered."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_CONTEXT,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *(_JSON if log_format == "json" else _CONSOLE),
        ],
    )


def logging_settings(log_format: str, level: str) -> dict:
    """Django's LOGGING: records of every logger reach the root's one handler, whose formatter is `log_format`'s.

    Django's own loggers lose the handlers Django gives them (a plain console line in DEBUG, mail to the admins),
    so none of their records is written unmasked or twice.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structlog": {"()": "config.logs.formatter", "log_format": log_format}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": "NOTSET", "propagate": True},
            "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
            # The MCP server runs the SDK's session manager once per request (hitl.mcp.server), which says so at
            # info twice a call: only its warnings are news.
            "mcp.server.streamable_http_manager": {"level": "WARNING"},
            # Celery's own "Task … received" and "… succeeded in" say again what django_structlog's task_started
            # and task_succeeded say with the request's context: two lines of four a task, each rendered on the
            # answer's path. Failures are errors, and still written.
            "celery.worker.strategy": {"level": "WARNING"},
            "celery.app.trace": {"level": "WARNING"},
        },
    }
