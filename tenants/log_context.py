"""What every log line of one piece of work carries, so it can be followed: its request id, its tenant and user.

django-structlog's middleware binds a new request id for each request and its Celery integration carries it, with
the rest of the context, in the headers of the tasks the request enqueues (docs/deploy.md, "Logs"). Here: the
proxy's `X-Request-ID` is taken instead when it is well formed, the tenant is bound beside the user, and the id
goes back to the caller in the response. The chat socket, not a Django request, binds its own ids with
`new_request_id`.
"""

import re
import uuid

import structlog
from django.dispatch import receiver
from django_structlog import signals

from tenants.pii import find_pii

REQUEST_ID_HEADER = "X-Request-ID"
# What proxies send (nginx's 32 hex characters, a UUID, a trace id): letters, digits and . _ : -, 8 to 128 long.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def new_request_id() -> str:
    return str(uuid.uuid4())


def request_id_from(header: str | None) -> str:
    """The proxy's request id when it is well formed and carries no personal data (log lines keep it as it is),
    else a new one."""
    if header and WELL_FORMED_REQUEST_ID.fullmatch(header) and not find_pii(header):
        return header
    return new_request_id()


def bind_tenant(tenant_id) -> None:
    """Name the tenant on every log line that follows in this context (and the tasks it enqueues)."""
    if tenant_id is not None:
        structlog.contextvars.bind_contextvars(tenant_id=str(tenant_id))


def _bind_user_and_tenant(request) -> None:
    """The signed-in user's id and tenant, read as django-structlog reads the user: without marking the session
    accessed (a log line must not add `Vary: Cookie` to the response)."""
    user = getattr(request, "user", None)
    if user is None:
        return
    session = getattr(request, "session", None)
    accessed = session.accessed if session is not None else None
    if user.is_authenticated:
        structlog.contextvars.bind_contextvars(user_id=str(user.pk))
        bind_tenant(user.tenant_id)
    if accessed is False:
        session.accessed = False


@receiver(signals.bind_extra_request_metadata)
def bind_request(request, logger, log_kwargs, **kwargs):
    structlog.contextvars.bind_contextvars(request_id=request_id_from(request.headers.get(REQUEST_ID_HEADER)))
    _bind_user_and_tenant(request)


@receiver(signals.bind_extra_request_finished_metadata)
@receiver(signals.bind_extra_request_failed_metadata)
def bind_known_user(request, logger, **kwargs):
    """The API signs its caller in inside the view: known by the time the request ends."""
    _bind_user_and_tenant(request)


class RequestIdHeaderMiddleware:
    """Give the request id back in the response, for a caller or a proxy to quote. Placed right after
    django-structlog's middleware, it sees every response (an error page too) while the id is bound."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
