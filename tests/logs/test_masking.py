"""Phones, emails and card numbers never reach a log line, whoever logs them and however
(tenants.privacy.log_privacy)."""

import io
import logging
import uuid

import structlog

from config import logs
from tenants.privacy.log_privacy import mask_personal_data, scrub

PHONE, EMAIL, CARD = "+1 415 555 2671", "pat.jones@example.com", "4111 1111 1111 1111"


def test_strings_keys_numbers_and_nested_values_are_masked():
    value = {
        "text": f"call {PHONE} or write {EMAIL}",
        EMAIL: [f"card {CARD}", ("whatsapp:+14155552671",)],
        "card": 4111111111111111,
        "count": 3,
        "ratio": 0.5,
        "ok": True,
        "nothing": None,
        "object": ValueError(f"no user {EMAIL}"),
    }
    assert scrub(value) == {
        "text": "call [phone] or write [email]",
        "[email]": ["card [card]", ["whatsapp:[phone]"]],
        "card": "[card]",
        "count": 3,
        "ratio": 0.5,
        "ok": True,
        "nothing": None,
        "object": "no user [email]",
    }


def test_walkers_own_ids_are_kept_as_they_are_wherever_they_sit():
    """A UUID whose digits pass for a card number is still an id to follow, not personal data."""
    card_like = "41111111-1111-1111-aaaa-bbbbbbbbbbbb"  # 4111 1111 1111 1111 passes Luhn
    assert scrub(card_like) != card_like  # as free text it would be masked...
    ids = {"request_id": card_like, "task_id": card_like, "tenant_id": card_like, "user_id": card_like}
    assert mask_personal_data(None, "info", {**ids, "event": "x"}) == {**ids, "event": "x"}
    assert scrub({"contexts": {"trace": {"trace_id": "4111111111111111" * 2}}})["contexts"]["trace"]["trace_id"] == (
        "4111111111111111" * 2
    )


def test_text_without_digits_or_at_signs_is_left_alone():
    assert scrub("Chat resync failed") == "Chat resync failed"


def capture(log_format: str):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(log_format))
    logger = logging.getLogger("tests.logs.capture")
    logger.addHandler(handler)
    logger.propagate = False
    return stream, logger, handler


def test_a_librarys_plain_logging_call_is_masked_with_its_arguments_and_traceback(json_logs):
    """A library logging a request body: the arguments are merged in before masking, the traceback's text too."""
    body = {"From": f"whatsapp:{PHONE}", "Body": f"my card is {CARD}, mail {EMAIL}"}
    logging.getLogger("some.library").debug("received %s", body)
    try:
        raise ValueError(f"no account for {EMAIL} / {PHONE}")
    except ValueError:
        logging.getLogger("some.library").exception("failed for %s", EMAIL)
    received, failed = json_logs.lines
    assert received["event"] == "received {'From': 'whatsapp:[phone]', 'Body': 'my card is [card], mail [email]'}"
    assert received["logger"] == "some.library" and received["level"] == "debug"
    assert failed["event"] == "failed for [email]"
    assert failed["exception"][0]["exc_value"] == "no account for [email] / [phone]"
    assert "locals" not in failed["exception"][0]["frames"][0]  # a frame's variables hold whatever the code held
    for secret in (PHONE, EMAIL, CARD, "4155552671", "4111111111111111"):
        assert secret not in json_logs.text


def test_structlog_events_carry_the_bound_context_masked_but_for_the_ids(json_logs):
    request_id = str(uuid.uuid4())
    structlog.contextvars.bind_contextvars(request_id=request_id, tenant_id="7")
    structlog.get_logger("walker.x").info("sent to %s", EMAIL, to=PHONE, card=CARD)
    (line,) = json_logs.lines
    assert line["event"] == "sent to [email]" and line["to"] == "[phone]" and line["card"] == "[card]"
    assert line["request_id"] == request_id and line["tenant_id"] == "7"
    assert line["timestamp"].endswith("Z") and line["level"] == "info" and line["logger"] == "walker.x"


def test_console_lines_are_readable_and_masked_too():
    stream, logger, handler = capture("console")
    try:
        try:
            raise RuntimeError(f"card {CARD}")
        except RuntimeError:
            logger.exception("lost %s", EMAIL)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "lost [email]" in text and "RuntimeError: card [card]" in text and "[error" in text
    assert EMAIL not in text and CARD not in text and not text.lstrip().startswith("{")


def test_what_a_url_encodes_is_masked_too():
    """A request's path and query are logged as sent: pat%40example.com is an address all the same."""
    assert (
        scrub("GET /search?email=pat.jones%40example.com&to=%2B14155552671") == "GET /search?email=[email]&to=[phone]"
    )
    assert scrub("card=4111+1111+1111+1111&page=2") == "card=[card]&page=2"
    assert scrub("GET /a%20b?page=2") == "GET /a%20b?page=2"  # nothing to mask: left as sent
