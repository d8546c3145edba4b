"""Slack's signature over the raw body, with its 5-minute window, is checked before anything is read for action:
missing, malformed, stale, forged or replayed requests, and team ids not shaped as Slack's (checked before any
query), are refused with 401 or 403, never a 500, and decide nothing; a signed payload Walker cannot read is a 400."""

import time
from functools import partial
from urllib.parse import urlencode

import pytest

from channels_app.slack.verify import Refused, verify
from hitl.models import HITLDecision
from tests.slack.conftest import SECRET, TEAM, button, form, signed_headers


@pytest.fixture
def waiting(posted, linked):
    return posted()


def nothing_decided(approval, slack_api):
    approval.refresh_from_db()
    assert approval.is_pending and not HITLDecision.objects.filter(approval=approval).exists()
    assert slack_api.called("chat.postEphemeral") == []


def test_a_signed_click_is_acknowledged_and_decides(waiting, interact, slack_api):
    response = interact(button(waiting))
    assert response.status_code == 200 and response.content == b""
    waiting.refresh_from_db()
    assert waiting.status == "executed"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time()))},
        {"HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64},
    ],
    ids=["no headers", "no signature", "no timestamp"],
)
def test_missing_signature_headers_are_refused_with_401(waiting, interact, slack_api, headers):
    assert interact(button(waiting), headers=headers).status_code == 401
    nothing_decided(waiting, slack_api)


@pytest.mark.parametrize(
    "timestamp, signature",
    [
        ("yesterday", None),
        ("1.5e9", None),
        ("١٧٠٠٠٠٠٠٠٠", None),  # digits, but not ASCII ones: int() would read them
        (None, "v0=xyz"),
        (None, "v1=" + "a" * 64),
        (None, "v0=" + "a" * 63),
        (None, "v0=" + "A" * 64),
        (None, ""),
    ],
)
def test_malformed_signature_headers_are_refused_with_401_not_500(waiting, interact, slack_api, timestamp, signature):
    body = form(button(waiting))
    headers = signed_headers(body)
    if timestamp is not None:
        headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = timestamp
    if signature is not None:
        headers["HTTP_X_SLACK_SIGNATURE"] = signature
    assert interact(None, body=body, headers=headers).status_code == 401
    nothing_decided(waiting, slack_api)


def test_a_timestamp_too_long_to_be_a_time_is_refused_with_401_not_500(waiting, interact, slack_api):
    body = form(button(waiting))
    headers = signed_headers(body, timestamp="1" * 5000)  # int() refuses more than 4300 digits
    assert interact(None, body=body, headers=headers).status_code == 401
    nothing_decided(waiting, slack_api)


# Ten seconds past the window, not one: int() drops up to a second and the request comes a moment after signing,
# so a timestamp 301 s ahead can land 299.99 s ahead of the view's clock (it did, once, on a slow machine).
@pytest.mark.parametrize("age", [310, -310, 10**12])
def test_a_request_outside_the_five_minute_window_is_refused(waiting, interact, slack_api, age):
    body = form(button(waiting))
    headers = signed_headers(body, timestamp=int(time.time()) - age)  # correctly signed, at the wrong time
    assert interact(None, body=body, headers=headers).status_code == 401
    nothing_decided(waiting, slack_api)


@pytest.mark.parametrize("skew, taken", [(300, True), (-300, True), (301, False), (-301, False)])
def test_the_window_is_five_minutes_to_the_second_either_way(waiting, skew, taken):
    body = form(button(waiting))
    timestamp = 1_700_000_000
    headers = signed_headers(body, timestamp=timestamp)
    check = partial(
        verify, body, headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"], headers["HTTP_X_SLACK_SIGNATURE"], now=timestamp + skew
    )
    if taken:
        assert check().workspace.team_id == TEAM
    else:
        with pytest.raises(Refused) as refused:
            check()
        assert refused.value.status == 401


def test_a_request_just_inside_the_window_is_taken(waiting, interact, slack_api):
    body = form(button(waiting))
    assert interact(None, body=body, headers=signed_headers(body, timestamp=int(time.time()) - 290)).status_code == 200


def test_a_forged_signature_is_refused_with_403(waiting, interact, slack_api):
    body = form(button(waiting))
    assert interact(None, body=body, headers=signed_headers(body, secret="not-the-secret")).status_code == 403
    nothing_decided(waiting, slack_api)


def test_a_body_changed_after_signing_is_refused(waiting, interact, slack_api, second_approver):
    headers = signed_headers(form(button(waiting, user="U0SOMEONE")))
    assert interact(None, body=form(button(waiting)), headers=headers).status_code == 403
    nothing_decided(waiting, slack_api)


def test_a_replayed_request_is_refused_and_decides_nothing_twice(posted, linked, interact, slack_api):
    approval = posted()
    body = form(button(approval))
    headers = signed_headers(body)
    assert interact(None, body=body, headers=headers).status_code == 200
    assert interact(None, body=body, headers=headers).status_code == 403
    assert HITLDecision.objects.filter(approval=approval).count() == 1
    assert len(slack_api.called("chat.postEphemeral")) == 1  # the first click's answer only


def test_an_unknown_team_is_refused_with_403(waiting, interact, slack_api):
    body = form(button(waiting, team="T0STRANGER"))
    assert interact(None, body=body, headers=signed_headers(body)).status_code == 403
    nothing_decided(waiting, slack_api)


@pytest.mark.parametrize(
    "team_id",
    [
        "T0WAL\u0000KER",  # PostgreSQL text cannot hold NUL
        "T0WAL\ud800KER",  # a lone surrogate: not encodable as UTF-8
        "T" + "0" * 100_000,
        "T" + "0" * 32,  # longer than any team id Walker stores
        "t0walker",
        "X0WALKER",
        "T0WALKER ",
        "T0WALKÉR",
        "",
        12345,
        ["T0WALKER"],
        {"id": "T0WALKER"},
        True,
    ],
    ids=[
        "NUL",
        "lone surrogate",
        "very long",
        "too long",
        "lower case",
        "not T or E",
        "space",
        "not ASCII",
        "empty",
        "number",
        "list",
        "object",
        "boolean",
    ],  # fmt: skip
)
def test_a_team_id_not_shaped_as_slacks_is_refused_as_an_unknown_team_before_any_query(
    waiting, interact, slack_api, team_id, django_assert_num_queries
):
    body = form(button(waiting, team=team_id))  # the team id is also the user's team_id
    headers = signed_headers(body)
    with django_assert_num_queries(0):
        assert interact(None, body=body, headers=headers).status_code == 403
    nothing_decided(waiting, slack_api)


def test_a_null_team_id_falls_back_to_the_users_team(waiting, interact, slack_api):
    payload = button(waiting)
    payload["team"] = None  # as in some of Slack's payloads: the user's team_id names the workspace
    assert interact(payload).status_code == 200
    payload = button(waiting, team=None)
    assert interact(payload).status_code == 403  # neither names one
    waiting.refresh_from_db()
    assert waiting.status == "executed"


@pytest.mark.parametrize("payload", ["null", "[1, 2]", '"T0WALKER"', "12", "true", '{"team": {"id": "T0WA'])
def test_a_payload_that_is_no_json_object_is_refused_with_403(waiting, interact, slack_api, payload):
    body = urlencode({"payload": payload}).encode()
    assert interact(None, body=body, headers=signed_headers(body)).status_code == 403
    nothing_decided(waiting, slack_api)


@pytest.mark.parametrize("body", [b"", b"payload=not-json", b"\xff\xfe", b"payload=%5B1%2C2%5D", b"a=1&b"], ids=repr)
def test_a_body_that_is_no_interaction_is_refused(waiting, interact, slack_api, body):
    assert interact(None, body=body, headers=signed_headers(body, secret=SECRET)).status_code == 403
    nothing_decided(waiting, slack_api)


def test_a_signed_interaction_walker_did_not_send_is_a_400(waiting, interact, slack_api):
    payload = button(waiting)
    payload["actions"][0]["value"] = "'; DROP TABLE"
    assert interact(payload).status_code == 400
    payload = button(waiting, action_id="somebody_elses_button")
    assert interact(payload).status_code == 400
    nothing_decided(waiting, slack_api)


@pytest.mark.parametrize(
    "where, value",
    [("user", {"id": 42}), ("user", "U0APPROVER"), ("container", {"channel_id": ["C0APPROVALS"]}),
     ("container", {"channel_id": "C0APPROVALS", "message_ts": 1700000000.000001})],
    ids=["user id a number", "user not an object", "channel a list", "message ts a number"],
)  # fmt: skip
def test_a_signed_click_with_a_field_that_is_not_a_string_is_a_400(waiting, interact, slack_api, where, value):
    payload = button(waiting)
    payload[where] = value
    assert interact(payload).status_code == 400
    nothing_decided(waiting, slack_api)


def test_only_post_is_taken(client):
    assert client.get("/slack/interactions").status_code == 405
