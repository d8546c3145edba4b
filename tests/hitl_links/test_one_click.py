"""One-click decision links: GET only shows, POST decides once, as the approver the signed link names."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from hitl.links import make_link, read_token
from hitl.models import HITLApproval, HITLDecision, HITLNotification, OneClickToken
from hitl.services.decisions import reject
from hitl.services.requests import request_approval
from tenants.roles import Role
from tests.factories import CampaignFactory, UserFactory, budget_action

IP = "203.0.113.7"


def path(approval, user, decision):
    return urlsplit(make_link(approval, user, decision)).path


def post(client, url, **data):
    return client.post(url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT="Phone Mail/1.0")


def fresh(approval) -> HITLApproval:
    return HITLApproval.objects.get(pk=approval.pk)


def assert_untouched(approval):
    assert fresh(approval).status == "pending"
    assert not approval.decisions.exists()
    assert not OneClickToken.objects.exists()


def test_a_link_is_an_absolute_url_naming_approval_approver_and_decision(ask, approver):
    approval = ask()
    link = make_link(approval, approver, "reject")
    assert link.startswith(f"{settings.PUBLIC_BASE_URL}/hitl/decide/")
    claim = read_token(urlsplit(link).path.split("/")[-2])
    assert (claim.approval_id, claim.approver_id, claim.decision) == (str(approval.pk), str(approver.pk), "reject")
    assert make_link(approval, approver, "reject") != link  # a fresh nonce each time


def test_get_shows_the_action_and_changes_nothing(client, ask, approver):
    approval = ask()
    response = client.get(path(approval, approver, "approve"))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (approval.reference, approval.action_summary, "Daily budget", "700.00", "$6,000.00"):
        assert shown in page
    assert approval.get_risk_level_display() in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "strict-origin"
    assert "noindex" in response["X-Robots-Tag"] and 'name="robots" content="noindex' in page
    assert client.head(path(approval, approver, "approve")).status_code == 200
    assert_untouched(approval)


def test_the_page_names_the_campaign_and_gives_money_its_currency(client, ask, approver):
    """Issue 30, point 7: the one-click page said "Campaign id 9806ab7e-…" and "Daily budget 700.00"."""
    approval = ask()
    page = client.get(path(approval, approver, "approve")).content.decode()
    assert "<dt>Campaign name</dt><dd>Summer Sale</dd>" in page
    assert "<dt>Daily budget</dt><dd>$700.00</dd>" in page
    assert "Campaign id" not in page and approval.action_data["campaign_id"] not in page


def test_post_approves_as_the_approver_from_the_link(client, ask, approver):
    approval = ask()
    response = post(client, path(approval, approver, "approve"))
    assert response.status_code == 200 and b"You approved" in response.content
    assert f"/admin/hitl/hitlapproval/{approval.pk}/change/" in response.content.decode()
    assert fresh(approval).status == "approved" and fresh(approval).approved_by == approver
    decision = approval.decisions.get()
    assert (decision.approver, decision.decision, decision.via) == (approver, "approve", "link")
    assert (decision.ip_address, decision.user_agent) == (IP, "Phone Mail/1.0")
    assert OneClickToken.objects.get().approver == approver


def test_the_form_passes_the_csrf_check_a_browser_makes(ask, approver):
    """A browser sends the form's POST with the cookie, the field and (strict-origin) the real Origin."""
    approval = ask()
    browser = Client(enforce_csrf_checks=True)
    url = path(approval, approver, "approve")
    assert browser.post(url).status_code == 403  # no CSRF token: refused, nothing decided
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(url).content.decode()).group(1)
    response = browser.post(url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200 and fresh(approval).status == "approved"


def test_approving_one_level_of_several_says_what_is_left(client, ask, workflow, approver, tenant_admin):
    workflow(
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1},
        ]
    )
    approval = ask()
    response = post(client, path(approval, approver, "approve"))
    assert response.status_code == 200 and b"now at level 2 of 2" in response.content
    assert fresh(approval).status == "pending" and fresh(approval).approval_level == 2


def test_a_rejection_needs_a_reason_then_rejects_with_it(client, ask, approver):
    approval = ask()
    url = path(approval, approver, "reject")
    assert b"<textarea" in client.get(url).content
    missing = post(client, url, reason="   ")
    assert missing.status_code == 400 and b"Say why you reject it." in missing.content
    assert_untouched(approval)
    response = post(client, url, reason="Too much before Black Friday")
    assert response.status_code == 200 and b"You rejected" in response.content
    approval = fresh(approval)
    assert (approval.status, approval.rejected_by) == ("rejected", approver)
    assert approval.rejection_reason == "Too much before Black Friday"
    assert approval.decisions.get().via == HITLDecision.Via.LINK


def test_a_used_link_changes_nothing_the_second_time(client, ask, approver):
    approval = ask()
    url = path(approval, approver, "approve")
    post(client, url)
    again = post(client, url)
    assert again.status_code == 410 and b"already been used" in again.content
    assert client.get(url).status_code == 410
    assert approval.decisions.count() == 1 and OneClickToken.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: "not-a-token",
    ],
)
def test_a_forged_link_is_refused(client, ask, approver, tamper):
    approval = ask()
    token = path(approval, approver, "approve").split("/")[-2]
    url = f"/hitl/decide/{tamper(token)}/"
    assert client.get(url).status_code == 400
    response = post(client, url)
    assert response.status_code == 400 and b"not valid" in response.content
    assert_untouched(approval)


@pytest.mark.parametrize(("salt", "decision"), [("another.purpose", "approve"), ("hitl.one-click", "delete")])
def test_a_token_signed_for_something_else_is_refused(client, ask, approver, salt, decision):
    approval = ask()
    token = signing.dumps([str(approval.pk), str(approver.pk), decision, "nonce"], salt=salt)
    assert post(client, f"/hitl/decide/{token}/").status_code == 400
    assert_untouched(approval)


@pytest.mark.parametrize(("hours", "status"), [(47, 200), (49, 410)])
def test_a_link_lasts_48_hours(client, ask, approver, hours, status):
    approval = ask()
    url = path(approval, approver, "approve")
    with time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False):
        assert client.get(url).status_code == status
        if status == 410:
            response = post(client, url)
            assert response.status_code == 410 and b"expired" in response.content
            assert_untouched(approval)


def test_a_link_for_the_requester_is_refused(client, ask, approver, requester):
    approval = ask()
    response = post(client, path(approval, requester, "approve"))
    assert response.status_code == 409 and b"Nobody decides on their own request." in response.content
    assert_untouched(approval)


def test_a_link_for_an_inactive_approver_is_refused(client, ask, approver):
    approval = ask()
    url = path(approval, approver, "approve")
    approver.is_active = False
    approver.save()
    assert client.get(url).status_code == 400
    assert post(client, url).status_code == 400
    assert_untouched(approval)


def test_a_link_to_a_decided_approval_leaves_no_trace(client, ask, approver, second_approver):
    approval = ask()
    url = path(approval, approver, "approve")
    reject(approval.pk, actor=second_approver, reason="Not now")
    assert client.get(url).status_code == 409
    response = post(client, url)
    assert response.status_code == 409
    assert f"{approval.reference} is already rejected; nothing changed." in response.content.decode()
    assert fresh(approval).status == "rejected" and approval.decisions.count() == 1
    assert not OneClickToken.objects.exists()


def test_a_link_acts_only_on_its_own_approval(client, ask, approver, paid_ads, other_tenant):
    ours = ask()
    outsider = UserFactory(tenant=other_tenant, role=Role.APPROVER)
    theirs = request_approval(
        tenant=other_tenant,
        agent=paid_ads,
        action=budget_action(CampaignFactory(tenant=other_tenant)),
        requested_by=UserFactory(tenant=other_tenant),
    )
    assert post(client, path(theirs, outsider, "approve")).status_code == 200
    assert fresh(theirs).status == "approved" and fresh(ours).status == "pending"

    response = post(client, path(ours, outsider, "approve"))  # an approver of another tenant: not theirs to see
    assert response.status_code == 400 and b"no longer works" in response.content
    assert fresh(ours).status == "pending" and not ours.decisions.exists()
    assert not OneClickToken.objects.filter(approval=ours).exists()


def test_the_approval_email_carries_working_links_that_are_never_stored(
    client, ask, workflow, approver, django_capture_on_commit_callbacks
):
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask()
    (message,) = mail.outbox
    approve_url = re.search(r"^Approve: (\S+)$", message.body, re.M).group(1)
    reject_url = re.search(r"^Reject: (\S+)$", message.body, re.M).group(1)
    html, _ = message.alternatives[0]
    assert approve_url in html and reject_url in html

    for url in (approve_url, reject_url):
        assert client.get(urlsplit(url).path).status_code == 200
    stored = HITLNotification.objects.values_list("subject", "message")
    assert not [text for row in stored for text in row if "/hitl/decide/" in text]

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, urlsplit(approve_url).path)
    assert response.status_code == 200 and approval.decisions.get().approver == approver
    assert fresh(approval).status == "executed"
    assert not [sent for sent in mail.outbox[1:] if "/hitl/decide/" in sent.body]  # "decided" asks nothing


def test_a_link_opened_while_someone_else_is_signed_in_is_refused(client, ask, approver, second_approver):
    approval = ask()
    client.force_login(second_approver)
    link = path(approval, approver, "approve")
    shown = client.get(link)
    assert shown.status_code == 403 and "signed in to Walker as approver2@acme.test" in shown.content.decode()
    decided = post(client, link)
    assert decided.status_code == 403
    assert_untouched(approval)


def test_a_link_opened_by_its_own_approver_while_signed_in_works(client, ask, approver):
    approval = ask()
    client.force_login(approver)
    assert post(client, path(approval, approver, "approve")).status_code == 200
    assert fresh(approval).status != "pending"


def test_the_page_reads_a_time_in_the_tenants_zone(client, ask_to_schedule, requester, approver):
    """Issue 50: a 9 a.m. Los Angeles request read "2027-01-15T17:00:00+00:00" and "5 p.m. UTC" on the one-click
    page, which nobody is signed in to, so no zone was set; it reads in the tenant's, as its email does."""
    approval = ask_to_schedule(requester)
    page = client.get(path(approval, approver, "approve")).content.decode()
    assert "Jan. 15, 2027, 9 a.m. PST" in page
    assert "+00:00" not in page and "UTC" not in page
