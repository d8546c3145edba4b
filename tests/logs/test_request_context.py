"""Each request's log lines carry its request id (the proxy's when well formed), its user and tenant, and the
caller gets the id back in X-Request-ID (tenants.log_context)."""

import uuid

import pytest

from tenants.log_context import request_id_from


def lines_of(json_logs, event):
    return [line for line in json_logs.lines if line["event"] == event]


def test_a_request_gets_a_new_id_returned_in_the_response_and_on_its_lines(client, json_logs, db):
    response = client.get("/admin/login/")
    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id).version == 4
    (started,) = lines_of(json_logs, "request_started")
    (finished,) = lines_of(json_logs, "request_finished")
    assert started["request_id"] == finished["request_id"] == request_id
    assert finished["code"] == response.status_code and finished["request"] == "GET /admin/login/"
    assert "ip" not in started  # a person's address is personal data


@pytest.mark.parametrize(
    "header",
    ["0f8fad5b-d9cb-469f-a165-70867728950e", "3c7e1a9d5b2f4e6a8c0d1b3f5a7e9c2d", "req_01HV3X9K2M7QABCDEF"],
)
def test_the_proxys_well_formed_request_id_is_kept(client, json_logs, db, header):
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID=header)
    assert response["X-Request-ID"] == header
    assert {line["request_id"] for line in lines_of(json_logs, "request_finished")} == {header}


@pytest.mark.parametrize(
    "header",
    [
        "",
        "short",
        "x" * 129,
        "has spaces in it",
        "line\nbreak-injected",
        "<script>alert(1)</script>",
        "4111111111111111",  # a card number: the id is logged unmasked, so it may hold no personal data
        "call-+14155552671",
        "pat@example.com",
    ],
)
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, json_logs, db, header):
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID=header)
    assert response["X-Request-ID"] != header and uuid.UUID(response["X-Request-ID"])
    assert request_id_from(header) != header


def test_a_signed_in_persons_lines_name_their_user_and_tenant(console_as, colleague, json_logs):
    response = console_as(colleague).get("/admin/")
    (finished,) = lines_of(json_logs, "request_finished")
    assert finished["user_id"] == str(colleague.pk) and finished["tenant_id"] == str(colleague.tenant_id)
    assert finished["request_id"] == response["X-Request-ID"]


def test_an_api_caller_signed_in_by_the_view_is_named_when_the_request_ends(api_as, colleague, json_logs):
    response = api_as(colleague).get("/api/conversations/")
    assert response.status_code == 200
    (finished,) = lines_of(json_logs, "request_finished")
    assert finished["user_id"] == str(colleague.pk) and finished["tenant_id"] == str(colleague.tenant_id)


def test_an_error_page_carries_the_request_id_too(client, json_logs, db):
    response = client.get("/admin/no-such-page/", HTTP_X_REQUEST_ID="0f8fad5b-d9cb-469f-a165-70867728950e")
    assert response.status_code in (302, 404) and response["X-Request-ID"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
