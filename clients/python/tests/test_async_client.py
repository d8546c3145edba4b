"""The async client shares the sync one's rules: the same key on every retry, Retry-After, decisions."""

import json

import pytest
from werkzeug import Response

from fake_walker import decided, filed
from walker_approvals import Refused

PATH = "/api/v1/approval-requests/"


async def test_a_retried_post_carries_one_key_and_files_once(aclient, httpserver):
    throttled = Response("{}", 429, headers={"Retry-After": "0"})
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_response(throttled)
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_response(Response("oops", 500))
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_json(filed(), status=202)
    asked = await aclient.request("update_budget", {"campaign": "S", "amount": 1}, "Raise it")
    keys = {json.loads(request.data)["idempotency_key"] for request, _ in httpserver.log}
    assert asked.created and len(httpserver.log) == 3 and len(keys) == 1


async def test_ask_files_then_waits_for_the_decision(aclient, httpserver):
    rid = filed()["id"]
    httpserver.expect_request(PATH, method="POST").respond_with_json(filed(), status=202)
    httpserver.expect_request(f"{PATH}{rid}/").respond_with_json(filed("rejected", decided("respond", note="500?")))
    decision = await aclient.ask("update_budget", {"campaign": "S", "amount": 1}, "Raise it")
    assert decision.type == "respond" and decision.note == "500?"


async def test_a_refusal_is_raised_with_its_code(aclient, httpserver):
    rid = filed()["id"]
    body = {"code": "not_approved", "detail": "A rejected action never ran."}
    httpserver.expect_request(f"{PATH}{rid}/result/", method="POST").respond_with_json(body, status=409)
    with pytest.raises(Refused, match="not_approved"):
        await aclient.report_result(rid, "succeeded", "Done")
