"""The plain client against Walker: filed once by its key, decided by a person, the outcome reported once."""

from journeys import ARGS, requests_with
from journeys import journey as new_journey

from walker_approvals import Refused


def test_an_accepted_request_is_carried_out_and_its_outcome_reported(client):
    context = new_journey("accept")
    asked = client.request("update_budget", ARGS, "Raise Summer Sale to 700 a day.", context=context)
    assert asked.created and asked.status == "pending" and asked.risk["level"]
    decision = client.wait(asked.id)
    assert decision.type == "accept" and decision.args == ARGS and decision.args_sha256 == asked.args_sha256
    reported = client.report_result(asked.id, "succeeded", "Summer Sale is at 700 a day.")
    assert reported.result["outcome"] == "succeeded"
    assert client.report_result(asked.id, "succeeded", "Summer Sale is at 700 a day.").result == reported.result


def test_the_same_key_answers_the_same_request_and_other_args_are_refused(client):
    context = new_journey("reject")
    key = f"journey-key-{context}"
    first = client.request("update_budget", ARGS, "Raise it.", context=context, idempotency_key=key)
    second = client.request("update_budget", ARGS, "Raise it.", context=context, idempotency_key=key)
    assert first.created and not second.created and second.id == first.id
    try:
        client.request("update_budget", {**ARGS, "amount": "1.00"}, "Raise it.", idempotency_key=key)
    except Refused as refused:
        assert (refused.status, refused.code) == (409, "idempotency_key_reused")
    else:
        raise AssertionError("other args under the same key were filed")
    assert client.wait(first.id).type == "reject"
    assert len(requests_with(context)) == 1
