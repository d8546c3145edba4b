"""One error family and one code-to-status map (core.errors, issue 32): every refusal's code answers its status
through the API's exception handler, with the body the API always gave."""

import pytest
from django.db import OperationalError
from psycopg_pool import PoolTimeout

from channels_app.chat.parse import ProtocolError
from channels_app.email.verify import Refused
from channels_app.whatsapp.parse import BadPayload
from config.exceptions import exception_handler
from conversations.normalized import IngestError
from conversations.takeover import TakeoverError
from core.errors import DEFAULT_STATUS, STATUS_BY_CODE, WalkerError, http_status
from hitl.errors import DecisionError
from tenants.access import AccessDenied
from tenants.identity.verification import VerificationError


@pytest.mark.parametrize("code", sorted(STATUS_BY_CODE))
def test_every_code_in_the_map_answers_its_status(code):
    response = exception_handler(WalkerError(code, "Refused; nothing changed."), {})
    assert response.status_code == STATUS_BY_CODE[code] == http_status(code)
    assert response.data == {"code": code, "detail": "Refused; nothing changed."}


def test_a_code_outside_the_map_answers_bad_request():
    response = exception_handler(IngestError("too_long", "Too long."), {})
    assert (response.status_code, response.data) == (DEFAULT_STATUS, {"code": "too_long", "detail": "Too long."})


def test_not_found_and_forbidden_answer_as_drf_refusals_do():
    """Detail first, then its code: the shape of DRF's own 404 and 403."""
    assert list(exception_handler(AccessDenied("not_found", "No such row."), {}).data) == ["detail", "code"]
    assert list(exception_handler(AccessDenied("forbidden", "Not yours."), {}).data) == ["detail", "code"]
    assert list(exception_handler(AccessDenied("held_by_other", "Taken."), {}).data) == ["code", "detail"]


@pytest.mark.parametrize(
    "family",
    [AccessDenied, DecisionError, TakeoverError, IngestError, VerificationError, ProtocolError, Refused, BadPayload],
)
def test_every_refusal_is_of_the_one_family(family):
    assert issubclass(family, WalkerError)


def _pool_timeout() -> OperationalError:
    """What Django raises when its psycopg pool gives no connection in time: its OperationalError from PoolTimeout."""
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 10.00 sec")
        except PoolTimeout as timeout:
            raise OperationalError(*timeout.args) from timeout
    except OperationalError as error:
        return error


def test_no_database_connection_in_time_answers_busy_with_when_to_try_again():
    """Overloaded, Walker says so (503 and Retry-After, which clients back off by), not an internal error (500)."""
    response = exception_handler(_pool_timeout(), {})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.data["code"] == "busy"


def test_any_other_database_error_stays_an_internal_error():
    assert exception_handler(OperationalError("server closed the connection unexpectedly"), {}) is None
