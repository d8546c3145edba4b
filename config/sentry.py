"""Error reports to Sentry, only when SENTRY_DSN is set: the web process's and the workers' exceptions (Django and
Celery integrations), each tagged with the request id and tenant its log lines carry, personal data masked.

What leaves: no user, cookies, headers that identify or request bodies (`send_default_pii` left at its default, off:
sentry-sdk 2.75 warns that setting it is deprecated; bodies never),
no frame's local variables, and every string of the event masked (`tenants.privacy.log_privacy.scrub`).
"""

import sentry_sdk
import structlog
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from tenants.privacy.log_privacy import scrub

TAGGED = ("request_id", "tenant_id")  # from the log context: an event names the log lines of the same work


def start(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_send_transaction=before_send,
    )


def before_send(event, hint):
    context = structlog.contextvars.get_contextvars()
    tags = event.setdefault("tags", {})
    for key in TAGGED:
        if context.get(key):
            tags[key] = context[key]
    return scrub(event)
