"""A decision said over the API while the database connection drops (issue 46, point 11): a decision that
committed is answered as committed, one the cut stopped answers 503 (never a bare 500), and the same decision sent
again by the same person answers 200 with it as recorded, never 409. The cut with real processes is in
tests/faults/test_database_cut.py; docs/api.md says what a client does."""

import contextlib

import pytest
from django.db import OperationalError, connection

from hitl.models import HITLApproval, HITLDecision
from hitl.services import verbs


def url(approval, verb):
    return f"/api/hitl/approvals/{approval.pk}/{verb}/"


def cut(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def cut_after_the_verb(monkeypatch):
    """The connection drops the moment the verb has committed: every later query of the request fails."""
    with contextlib.ExitStack() as after:
        real_act = verbs.act

        def act_then_cut(*args, **kwargs):
            decided = real_act(*args, **kwargs)
            after.enter_context(connection.execute_wrapper(cut))
            return decided

        monkeypatch.setattr(verbs, "act", act_then_cut)
        yield after


def test_a_decision_committed_before_the_cut_is_answered_as_committed(ask, api_as, approver, cut_after_the_verb):
    approval = ask()
    response = api_as(approver).post(url(approval, "approve"), {"notes": "Go"}, format="json")
    cut_after_the_verb.close()  # the database is back
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["reference"]) == (str(approval.pk), "approved", approval.reference)
    assert body["complete"] is False  # what the decision returned; the full approval is a GET away
    assert HITLApproval.objects.get(pk=approval.pk).status == "approved"


def test_a_decision_the_cut_stopped_answers_503_and_says_to_send_it_again(ask, api_as, approver, monkeypatch):
    approval = ask()

    def cut_off(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(verbs, "act", cut_off)
    response = api_as(approver).post(url(approval, "approve"), {}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable" and response["Retry-After"]


@pytest.mark.parametrize(
    ("verb", "body", "status"), [("approve", {}, "approved"), ("reject", {"reason": "No"}, "rejected")]
)
def test_the_same_decision_sent_again_by_the_same_person_answers_200_as_recorded(
    ask, api_as, approver, verb, body, status
):
    approval = ask()
    client = api_as(approver)
    first = client.post(url(approval, verb), body, format="json")
    again = client.post(url(approval, verb), body, format="json")
    assert (first.status_code, again.status_code) == (200, 200), again.content
    assert again.json()["status"] == status and again["Walker-Decision"] == "already-recorded"
    assert again.json()["decisions"] == first.json()["decisions"]
    assert HITLDecision.objects.filter(approval=approval).count() == 1


def test_another_decision_or_another_person_still_gets_the_conflict(ask, api_as, approver, second_approver):
    approval = ask()
    assert api_as(approver).post(url(approval, "approve"), {}, format="json").status_code == 200
    changed_mind = api_as(approver).post(url(approval, "reject"), {"reason": "No"}, format="json")
    assert (changed_mind.status_code, changed_mind.json()["code"]) == (409, "not_pending")
    other = api_as(second_approver).post(url(approval, "approve"), {}, format="json")
    assert (other.status_code, other.json()["code"]) == (409, "not_pending")
