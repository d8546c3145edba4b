"""Step-up through every decision door (issue 35, points 2 and 7): the console, the API with a session or a token,
one-click links, email and WhatsApp replies, each below the tenant's level, and at it with a fresh factor, a stale
one, or only a trusted browser. Links and replies carry no session: at the level they answer with the console link."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from hitl.admin.approvals import HELD_MINUTES
from hitl.links import approval_url, make_link
from hitl.models import HITLApproval, HITLApprovalHistory, OneClickToken
from tenants.identity import integration_tokens
from tests.factories import CampaignFactory
from tests.step_up.conftest import place_level

Event = HITLApprovalHistory.Event
STATES = ["fresh", "stale", "trusted"]


def status_of(approval) -> str:
    return HITLApproval.objects.get(pk=approval.pk).status


def asked(approval):
    return list(approval.history.filter(event_type=Event.STEP_UP_ASKED))


def decided_entry(approval):
    return approval.history.get(event_type__in=[Event.APPROVED, Event.REJECTED])


@pytest.fixture
def approval(ask, tenant):
    filed = ask()
    assert filed.risk_level != "critical"  # the "below" cases place the level one above it
    return filed


def console_decide(client, approval, then=None, **form):
    url = f"/admin/hitl/hitlapproval/{approval.pk}/decide/" + (f"?then={then}" if then else "")
    return client.post(url, {"decision": "approve", "notes": "Fine for the sale", **form})


# --- the console ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_below_the_level_the_console_decides_whatever_the_session_showed(approval, tenant, approver, session_as, state):
    place_level(tenant, approval.risk_level, below=True)
    client = session_as(approver, state)
    assert console_decide(client, approval).status_code == 302
    assert status_of(approval) != "pending" and not asked(approval)


def test_at_the_level_a_fresh_factor_decides_and_the_history_names_it(approval, tenant, approver, session_as):
    place_level(tenant, approval.risk_level)
    client = session_as(approver, "fresh")
    response = console_decide(client, approval)
    assert response["Location"] == f"/admin/hitl/hitlapproval/{approval.pk}/change/"
    assert status_of(approval) != "pending" and not asked(approval)
    shown = decided_entry(approval).metadata["second_factor"]
    assert shown["type"] == "totp" and shown["at"]


@pytest.mark.parametrize("state", ["stale", "trusted"])
def test_at_the_level_a_stale_factor_or_a_trusted_browser_is_sent_to_show_one(
    approval, tenant, approver, session_as, state
):
    place_level(tenant, approval.risk_level)
    client = session_as(approver, state)
    response = console_decide(client, approval)
    decide = f"/admin/hitl/hitlapproval/{approval.pk}/decide/"
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert f"next={decide.replace('/', '%2F')}" in response["Location"]
    assert status_of(approval) == "pending"
    [entry] = asked(approval)
    assert entry.actor == approver and entry.metadata["via"] == "admin" and entry.metadata["verb"] == "approve"


def come_back_with_a_code(client, approval, approver, then=None, **form):
    """Decide with a stale factor, show a code on allauth's re-authentication page: where it sends the person."""
    from tests.mfa.conftest import totp_code

    away = console_decide(client, approval, then, **form)
    back = client.post(away["Location"], {"code": totp_code(approver._totp_secret)})
    assert (
        back.status_code == 302 and urlsplit(back["Location"]).path == f"/admin/hitl/hitlapproval/{approval.pk}/decide/"
    )
    return back["Location"]


def test_the_console_round_trip_decides_as_typed_once_the_factor_is_shown(approval, tenant, approver, session_as):
    """Stale: the person clicked Approve, then showed a code on allauth's page (its own "Confirm"): that is the
    one confirmation, and the decision they typed is taken on the way back, not asked for a second time."""
    place_level(tenant, approval.risk_level)
    client = session_as(approver, "stale")
    decide = come_back_with_a_code(client, approval, approver, notes="Only for the summer sale")
    done = client.get(decide)
    assert done.status_code == 302 and done["Location"] == f"/admin/hitl/hitlapproval/{approval.pk}/change/"
    assert status_of(approval) != "pending"
    assert decided_entry(approval).metadata["second_factor"]["type"] == "totp"
    assert approval.decisions.get().notes == "Only for the summer sale"
    assert [str(m) for m in get_messages(done.wsgi_request)][-1].startswith(f"{approval.reference} approved")
    assert client.get(decide).status_code == 405  # the held decision is spent: a GET decides nothing more


def test_approve_and_next_held_for_the_factor_goes_on_to_the_next(approval, ask, tenant, approver, session_as):
    place_level(tenant, approval.risk_level)
    following = ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00")))
    client = session_as(approver, "stale")
    decide = come_back_with_a_code(client, approval, approver, then="next")
    done = client.get(decide)
    assert status_of(approval) != "pending"
    assert done["Location"] == f"/admin/hitl/hitlapproval/{following.pk}/change/"


def test_coming_back_without_showing_the_factor_decides_nothing_and_asks_again(approval, tenant, approver, session_as):
    place_level(tenant, approval.risk_level)
    client = session_as(approver, "stale")
    console_decide(client, approval)
    again = client.get(f"/admin/hitl/hitlapproval/{approval.pk}/decide/")
    assert urlsplit(again["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert status_of(approval) == "pending"


def test_a_decision_held_too_long_is_dropped_not_taken(approval, tenant, approver, session_as):
    """The hold lives minutes: a factor shown the next morning does not decide what was clicked the night before."""
    from tests.mfa.conftest import totp_code
    from tests.step_up.conftest import later

    place_level(tenant, approval.risk_level)
    client = session_as(approver, "stale")
    away = console_decide(client, approval)
    with later(HELD_MINUTES + 1):
        back = client.post(away["Location"], {"code": totp_code(approver._totp_secret)})
        dropped = client.get(back["Location"])
    assert dropped["Location"] == f"/admin/hitl/hitlapproval/{approval.pk}/change/"
    assert status_of(approval) == "pending"
    told = [str(m) for m in get_messages(dropped.wsgi_request)]
    assert told[-1] == (f"Nothing was decided: the decision you were taking waited more than {HELD_MINUTES} minutes "
                        "for your second factor. Take it again.")  # fmt: skip


def test_a_held_decision_is_for_its_own_approval_only(approval, ask, tenant, approver, session_as):
    place_level(tenant, approval.risk_level)
    other = ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00")))
    client = session_as(approver, "stale")
    come_back_with_a_code(client, approval, approver)
    assert client.get(f"/admin/hitl/hitlapproval/{other.pk}/decide/").status_code == 405
    assert status_of(other) == "pending"
    assert client.get(f"/admin/hitl/hitlapproval/{approval.pk}/decide/").status_code == 302  # its own still holds
    assert status_of(approval) != "pending"


def test_a_person_without_a_factor_is_sent_to_add_one_and_told_so(approval, tenant, approver, console_as):
    place_level(tenant, approval.risk_level)
    client = console_as(approver)
    response = console_decide(client, approval)
    assert urlsplit(response["Location"]).path == "/accounts/2fa/"
    assert status_of(approval) == "pending"
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["This needs a second factor, and you have none yet: add one on the next page (an authenticator "
                    "app or a security key), then your decision is taken."]  # fmt: skip


def test_the_queues_bulk_approve_leaves_step_up_approvals_waiting_with_a_link(approval, tenant, approver, session_as):
    place_level(tenant, approval.risk_level)
    client = session_as(approver, "trusted")
    response = client.post(
        "/admin/hitl/hitlapproval/",
        {"action": "approve_selected", "_selected_action": [str(approval.pk)], "confirm": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert approval.reference in page and "/accounts/2fa/reauthenticate/" in page
    assert status_of(approval) == "pending" and len(asked(approval)) == 1


# --- the API ----------------------------------------------------------------------------------------------------


def api_approve(client, approval):
    return client.post(f"/api/hitl/approvals/{approval.pk}/approve/", {}, content_type="application/json")


def token_client(user):
    _, secret = integration_tokens.create_token(user, name="step-up", scopes=["read", "decide"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.mark.slow
@pytest.mark.parametrize("state", STATES)
def test_the_api_with_a_session_decides_only_with_a_fresh_factor(approval, tenant, approver, session_as, state):
    place_level(tenant, approval.risk_level)
    response = api_approve(session_as(approver, state), approval)
    if state == "fresh":
        assert response.status_code == 200
        assert decided_entry(approval).metadata["second_factor"]["type"] == "totp"
        return
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "step_up_required" and body["console_url"] == approval_url(approval)
    assert approval.reference in body["detail"] and status_of(approval) == "pending"
    assert asked(approval)[0].metadata["via"] == "api"


def test_a_token_never_steps_up_but_decides_below_the_level(approval, ask, tenant, approver, campaign):
    place_level(tenant, approval.risk_level)
    refused = api_approve(token_client(approver), approval)
    assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
    place_level(tenant, approval.risk_level, below=True)
    assert api_approve(token_client(approver), approval).status_code == 200


# --- one-click links --------------------------------------------------------------------------------------------


def link_path(approval, approver, decision="approve"):
    return urlsplit(make_link(approval, approver, decision)).path


def test_a_link_at_the_level_shows_the_console_link_and_records_nothing_on_get(client, approval, tenant, approver):
    place_level(tenant, approval.risk_level)
    page = client.get(link_path(approval, approver))
    assert page.status_code == 403
    text = page.content.decode()
    assert approval_url(approval) in text and "second factor" in text and 'method="post"' not in text
    assert not asked(approval)  # mail scanners fetch links: a GET writes nothing


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_link_posted_at_the_level_decides_nothing_and_records_the_ask(client, approval, tenant, approver, decision):
    place_level(tenant, approval.risk_level)
    url = link_path(approval, approver, decision)
    response = client.post(url, {"reason": "Too much"})
    assert response.status_code == 403 and approval_url(approval) in response.content.decode()
    assert status_of(approval) == "pending" and not OneClickToken.objects.filter(approval=approval).exists()
    [entry] = asked(approval)
    assert entry.metadata["via"] == "link" and entry.metadata["verb"] == decision and entry.actor == approver


def test_a_link_below_the_level_decides(client, approval, tenant, approver):
    place_level(tenant, approval.risk_level, below=True)
    assert client.post(link_path(approval, approver)).status_code == 200
    assert status_of(approval) != "pending" and not asked(approval)
