"""The sync client against a fake Walker: filing once whatever the retries, waiting, refusals, results."""

import json
import socket
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from fake_walker import FAST, decided, filed
from walker_approvals import Client, DecisionTimeout, NotFound, Refused, Retry, Unavailable

PATH = "/api/v1/approval-requests/"
ARGS = {"campaign": "Summer Sale", "amount": "700.00"}


def posted_keys(httpserver) -> list[str]:
    return [json.loads(request.data)["idempotency_key"] for request, _ in httpserver.log]


def test_a_request_is_filed_with_the_token_and_its_fields(client, httpserver):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(filed(), status=202)
    asked = client.request("update_budget", ARGS, "Raise it", expires_in=600, allowed_decisions=["accept", "reject"])
    assert asked.created and asked.status == "pending" and asked.decision is None and asked.risk["level"] == "medium"
    [(sent, _)] = httpserver.log
    body = json.loads(sent.data)
    assert sent.headers["Authorization"] == "Token secret"
    assert body["action"] == "update_budget" and body["args"] == ARGS and body["expires_in"] == 600
    assert body["allowed_decisions"] == ["accept", "reject"] and body["idempotency_key"].startswith("walker-approvals-")


def test_5xx_answers_are_retried_with_the_same_idempotency_key(client, httpserver):
    for answer in (Response("busy", 502), Response("busy", 503)):
        httpserver.expect_ordered_request(PATH, method="POST").respond_with_response(answer)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_json(filed(), status=202)
    assert client.request("update_budget", ARGS, "Raise it").created
    keys = posted_keys(httpserver)
    assert len(keys) == 3 and len(set(keys)) == 1


def test_a_429_waits_as_long_as_retry_after_says(client, httpserver):
    throttled = Response(json.dumps({"code": "throttled", "detail": "slow down"}), 429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_response(throttled)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_json(filed(), status=200)
    started = time.monotonic()
    asked = client.request("update_budget", ARGS, "Raise it", idempotency_key="run-42-call-1")
    assert time.monotonic() - started >= 1.0
    assert not asked.created and posted_keys(httpserver) == ["run-42-call-1", "run-42-call-1"]


def test_walker_out_of_reach_is_retried_then_unavailable():
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # nothing listens on it once closed
    with Client(f"http://127.0.0.1:{port}", "secret", retry=FAST) as client, pytest.raises(Unavailable):
        client.request("update_budget", ARGS, "Raise it")


def test_a_walker_that_comes_back_gets_the_post_once_with_its_key():
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request(PATH, method="POST").respond_with_json(filed(), status=202)
    later = threading.Timer(0.3, server.start)
    later.start()
    try:
        with Client(f"http://127.0.0.1:{port}", "secret", retry=Retry(attempts=8, backoff=0.1)) as client:
            assert client.request("update_budget", ARGS, "Raise it", idempotency_key="k-1").created
        assert [json.loads(request.data)["idempotency_key"] for request, _ in server.log] == ["k-1"]
    finally:
        later.join()
        server.clear()
        if server.is_running():
            server.stop()


def test_5xx_every_time_ends_unavailable_after_the_attempts(client, httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_response(Response("down", 500))
    with pytest.raises(Unavailable, match="500"):
        client.request("update_budget", ARGS, "Raise it")
    assert len(httpserver.log) == FAST.attempts and len(set(posted_keys(httpserver))) == 1


def test_a_refusal_carries_walkers_code_and_is_not_retried(client, httpserver):
    body = {"code": "idempotency_key_reused", "detail": "This key filed a request with other args."}
    httpserver.expect_request(PATH, method="POST").respond_with_json(body, status=409)
    with pytest.raises(Refused) as refused:
        client.request("update_budget", ARGS, "Raise it", idempotency_key="run-42-call-1")
    assert (refused.value.status, refused.value.code) == (409, "idempotency_key_reused")
    assert len(httpserver.log) == 1


def test_field_errors_name_their_fields(client, httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_json({"action": ["Unknown action type."]}, 400)
    with pytest.raises(Refused) as refused:
        client.request("nope", ARGS, "Raise it")
    assert refused.value.code == "invalid" and refused.value.fields == {"action": ["Unknown action type."]}
    assert "action: Unknown action type." in str(refused.value)


def test_another_tenants_request_is_not_found(client, httpserver):
    httpserver.expect_request(f"{PATH}x/").respond_with_json({"detail": "No ApprovalRequest matches."}, 404)
    with pytest.raises(NotFound) as missing:
        client.get("x")
    assert missing.value.code == "not_found"


def test_wait_long_polls_until_decided_and_a_rejection_is_a_decision(client, httpserver):
    rid = filed()["id"]
    httpserver.expect_ordered_request(f"{PATH}{rid}/", query_string="wait=30").respond_with_json(filed())
    rejected = filed("rejected", decided("reject"))
    httpserver.expect_ordered_request(f"{PATH}{rid}/", query_string="wait=30").respond_with_json(rejected)
    decision = client.wait(rid)
    assert decision.type == "reject" and not decision.approved and decision.note == "Over the quarter's budget"
    assert decision.decided_by == "Dana Reyes"


def test_wait_gives_up_at_its_timeout_and_never_asks_to_wait_longer(client, httpserver):
    rid = filed()["id"]
    httpserver.expect_request(f"{PATH}{rid}/").respond_with_json(filed())
    with pytest.raises(DecisionTimeout) as timed_out:
        client.wait(rid, timeout=0.2)
    assert timed_out.value.request_id == rid
    assert all(int(request.args["wait"]) <= 1 for request, _ in httpserver.log)


def test_an_edit_is_approved_with_its_own_args(client, httpserver):
    rid = filed()["id"]
    edit = decided("edit", {**ARGS, "amount": "500.00"}, "Half is enough")
    httpserver.expect_request(f"{PATH}{rid}/").respond_with_json(filed("approved", edit))
    decision = client.wait(rid)
    assert decision.approved and decision.args["amount"] == "500.00"


def test_the_result_is_reported_once(client, httpserver):
    rid = filed()["id"]
    done = filed("approved", decided("accept"), result={"outcome": "succeeded", "detail": "Done"})
    httpserver.expect_request(f"{PATH}{rid}/result/", method="POST").respond_with_json(done, status=201)
    assert client.report_result(rid, "succeeded", "Done").result["outcome"] == "succeeded"
    assert json.loads(httpserver.log[0][0].data) == {"outcome": "succeeded", "detail": "Done"}
