"""Under ASGI every middleware runs in the request's one thread: Django adapts the chain once, below the last."""

import logging

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test import override_settings


class Told(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_django_adapts_the_middleware_chain_once_below_the_last_middleware():
    """Before, the chain was adapted at the innermost sync-only middleware, and the five below it ran in async mode,
    a thread hop for each of their steps on every request. With DEBUG on, Django tells each adaptation on
    `django.request`."""
    told, logger = Told(), logging.getLogger("django.request")
    level = logger.level
    logger.addHandler(told)
    logger.setLevel(logging.DEBUG)
    try:
        with override_settings(DEBUG=True):
            ASGIHandler()
    finally:
        logger.removeHandler(told)
        logger.setLevel(level)
    adapted = [message for message in told.messages if "adapted" in message]
    assert adapted == [f"Asynchronous handler adapted for middleware {settings.MIDDLEWARE[-1]}."]
    assert settings.MIDDLEWARE[-1] == "config.sync_chain.SyncChainMiddleware"
