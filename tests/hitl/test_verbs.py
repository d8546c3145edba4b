"""One verb table (hitl.services.verbs): every door decides through `act`, and a verb added to the table is offered by
the console's form and the API without other code."""

from types import ModuleType
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIRequestFactory, force_authenticate

from channels_app.email import commands
from channels_app.whatsapp import commands as whatsapp
from hitl import replies
from hitl.api import ApprovalViewSet
from hitl.errors import DecisionError
from hitl.links import make_link
from hitl.models import HITLApproval
from hitl.services import verbs
from hitl.services.verbs import Door, Note, Verb
from tenants.privacy.audit import Origin

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


def decide_url(approval):
    return reverse("admin:hitl_hitlapproval_decide", args=[approval.pk])


@pytest.fixture
def said(monkeypatch):
    """What reached `act`: (verb, via, note) per call; the call goes on to the real service."""
    calls = []
    real = verbs.act

    def spy(verb, approval_id, *, actor, origin, note="", edits=None):
        calls.append((verb, origin.via, note))
        return real(verb, approval_id, actor=actor, origin=origin, note=note, edits=edits)

    monkeypatch.setattr(verbs, "act", spy)
    return calls


def test_the_console_page_and_its_bulk_actions_decide_through_the_table(console_as, ask, approver, said):
    first, second = ask(), ask("800.00")
    client = console_as(approver)
    client.post(decide_url(first), {"decision": "approve", "notes": "fine"})
    client.post(QUEUE, {"action": "reject_selected", "_selected_action": [second.pk], "confirm": "1", "reason": "No"})
    assert said == [("approve", "admin", "fine"), ("reject", "admin", "No")]


@pytest.mark.parametrize(
    "verb, body",
    [
        ("approve", {"notes": "fine"}),
        ("reject", {"reason": "no"}),
        ("escalate", {"reason": "a look"}),
        ("retry", {}),
        ("mark-failed", {}),
    ],
)
def test_every_api_endpoint_decides_through_the_table(api_as, ask, approver, said, verb, body):
    approval = ask()
    response = api_as(approver).post(f"/api/hitl/approvals/{approval.pk}/{verb}/", body, format="json")
    assert response.status_code != 404  # reached: what the service answered (a refusal too) is not the point here
    name = verb.replace("-", "_")
    assert said == [(name, "api", body.get("notes") or body.get("reason", ""))]


def test_the_requester_cancels_through_the_api_door(api_as, ask, requester, said):
    approval = ask()
    assert api_as(requester).post(f"/api/hitl/approvals/{approval.pk}/cancel/", {}, format="json").status_code == 200
    assert said == [("cancel", "api", "")] and HITLApproval.objects.get(pk=approval.pk).status == "cancelled"


def test_a_one_click_link_decides_through_the_table(client, ask, approver, said):
    approval = ask()
    client.post(urlsplit(make_link(approval, approver, "reject")).path, {"reason": "Too much"})
    assert said == [("reject", "link", "Too much")]


def test_replies_by_email_and_whatsapp_decide_through_the_table(ask, approver, second_approver, workflow, said):
    workflow(approval_levels=[{"name": "Two", "approvers": {"roles": ["approver"]}, "required_approvals": 2}])
    approval = ask()
    assert commands.run(approver, f"approve {approval.reference} fine").startswith("Your approval of")
    told = whatsapp.decide(second_approver, replies.read(f"rechazar {approval.reference} no"), sid="SM1")
    assert told == f"You rejected {approval.reference}. It will not run."
    assert said == [("approve", "email", "fine"), ("reject", "whatsapp", "no")]


def test_the_console_and_the_api_offer_the_verbs_the_table_gives_them():
    assert [v.name for v in verbs.offered_at(Door.CONSOLE)] == [
        "approve", "reject", "escalate", "respond", "retry", "mark_failed", "requeue",
    ]  # fmt: skip
    assert [v.name for v in verbs.offered_at(Door.API)] == [
        "approve", "reject", "escalate", "respond", "cancel", "retry", "mark_failed",
    ]  # fmt: skip
    assert verbs.verb_named("abandon", Door.CONSOLE).name == "mark_failed"  # the page's button
    assert verbs.verb_named("cancel", Door.CONSOLE) is None


def test_an_unknown_verb_is_refused_by_act(ask, approver):
    approval = ask()
    with pytest.raises(DecisionError) as refused:
        verbs.act("explode", approval.pk, actor=approver, origin=Origin(via="api"))
    assert refused.value.code == "bad_decision"


# --- a verb added to the table ----------------------------------------------------------------------------------


@pytest.fixture
def snooze(monkeypatch):
    """A verb that only remembers it was said: added to the table, nowhere else."""
    heard = []

    def run(approval_id, *, actor, origin, note, edits):
        heard.append((actor, origin.via, note))
        return HITLApproval.objects.get(pk=approval_id)

    verb = Verb("snooze", run, "%(reference)s snoozed.", "Put it aside for now.", note=Note.OPTIONAL)
    monkeypatch.setitem(verbs.VERBS, "snooze", verb)
    yield heard
    if "snooze" in vars(ApprovalViewSet):  # the endpoint the API made for it goes with it
        delattr(ApprovalViewSet, "snooze")


def test_a_verb_added_to_the_table_is_offered_by_the_console(console_as, ask, approver, snooze):
    approval = ask()
    response = console_as(approver).post(decide_url(approval), {"decision": "snooze", "reason": "Monday"}, follow=True)
    assert f"{approval.reference} snoozed." in response.content.decode()
    assert snooze == [(approver, "admin", "Monday")]


def test_a_verb_added_to_the_table_is_an_api_endpoint(ask, approver, snooze):
    approval = ask()
    router = SimpleRouter()
    router.register("approvals", ApprovalViewSet, basename="approval")
    path = f"/approvals/{approval.pk}/snooze/"
    urlconf = ModuleType("routes")  # the API's router, built after the verb was added
    urlconf.urlpatterns = router.urls
    match = resolve(path, urlconf=urlconf)
    request = APIRequestFactory().post(path, {"reason": "Monday"}, format="json")
    force_authenticate(request, user=approver)
    response = match.func(request, **match.kwargs)
    assert response.status_code == 200 and response.data["reference"] == approval.reference
    assert snooze == [(approver, "api", "Monday")]
