"""Linking a Slack user to a Walker person: a signed, expiring link that needs a Walker sign-in (with the second
factor the tenant's policy asks for), refused when expired, forged, or opened by someone of another tenant."""

from datetime import timedelta

import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from channels_app.slack import linking
from channels_app.slack.models import SlackUserLink
from tenants.models.tenant import default_mfa_roles
from tests.mfa.conftest import enrol_totp
from tests.slack.conftest import button
from tests.step_up.conftest import signed_in_with_code


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_an_unlinked_clicker_links_by_signing_in_and_their_next_click_decides(
    posted, workspace, approver, interact, slack_api, console_as
):
    approval = posted()
    interact(button(approval, user="U0NEW"))
    (invitation,) = slack_api.called("chat.postEphemeral")
    url = next(word for word in invitation["text"].split() if "/slack/link/" in word)

    anonymous = Client().get(path_of(url))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    browser = console_as(approver)
    page = browser.get(path_of(url))
    assert page.status_code == 200 and b"Link my Slack account" in page.content
    assert not SlackUserLink.objects.exists()  # a GET links nothing
    done = browser.post(path_of(url))
    assert done.status_code == 200 and b"linked" in done.content
    link = SlackUserLink.objects.get()
    assert (link.workspace, link.slack_user_id, link.user) == (workspace, "U0NEW", approver)

    interact(button(approval, user="U0NEW"))
    approval.refresh_from_db()
    assert approval.status == "executed" and approval.decisions.get().approver == approver


def test_an_expired_link_is_refused(workspace, approver, console_as, settings):
    url = linking.make_link(workspace, "U0LATE")
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.SLACK_LINK_MINUTES + 1)):
        response = console_as(approver).post(path_of(url))
    assert response.status_code == 410 and not SlackUserLink.objects.exists()


def test_a_forged_or_altered_link_is_refused(workspace, approver, console_as):
    browser = console_as(approver)
    forged = signing.dumps([workspace.team_id, "U0EVIL"], salt="another.salt", compress=True)
    assert browser.post(f"/slack/link/{forged}/").status_code == 400
    genuine = linking.make_link(workspace, "U0ME").rstrip("/").rsplit("/", 1)[1]
    assert browser.post(f"/slack/link/{genuine[:-2]}xx/").status_code == 400
    wrong_shape = signing.dumps({"team": workspace.team_id}, salt=linking.SALT, compress=True)
    assert browser.post(f"/slack/link/{wrong_shape}/").status_code == 400
    unknown_team = signing.dumps(["T0GONE", "U0ME"], salt=linking.SALT, compress=True)
    assert browser.post(f"/slack/link/{unknown_team}/").status_code == 400
    assert not SlackUserLink.objects.exists()


def test_someone_of_another_tenant_cannot_take_the_link(workspace, outsider, console_as):
    response = console_as(outsider).post(path_of(linking.make_link(workspace, "U0ME")))
    assert response.status_code == 403 and not SlackUserLink.objects.exists()


def test_linking_again_moves_the_link(workspace, approver, second_approver, console_as):
    console_as(approver).post(path_of(linking.make_link(workspace, "U0ONE")))
    console_as(approver).post(path_of(linking.make_link(workspace, "U0TWO")))
    assert list(SlackUserLink.objects.values_list("slack_user_id", "user")) == [("U0TWO", approver.pk)]


def test_where_the_policy_asks_for_a_second_factor_the_link_needs_it(tenant, workspace, approver):
    tenant.mfa_required_roles = default_mfa_roles()  # a new tenant's policy: approvers among them
    tenant.save(update_fields=["mfa_required_roles"])
    url = path_of(linking.make_link(workspace, "U0MFA"))
    secret = enrol_totp(approver)
    browser = Client()
    browser.force_login(approver)  # a session that never showed its factor
    refused = browser.post(url)
    assert refused.status_code == 302 and "/accounts/2fa/" in refused["Location"]
    assert not SlackUserLink.objects.exists()

    approver._totp_secret = secret
    browser = signed_in_with_code(approver)  # password, then the authenticator's code
    assert browser.post(url).status_code == 200
    assert SlackUserLink.objects.get().user == approver


def test_a_persons_slack_link_is_in_their_export_and_goes_with_their_erasure(linked, approver):
    from tenants.privacy.personal_data import holders

    (holder,) = [holder for holder in holders() if holder.name == "slack_links"]
    assert holder.export(approver) == [
        {"team_id": "T0WALKER", "slack_user_id": "U0APPROVER", "linked_at": linked.linked_at.isoformat()}
    ]
    assert holder.erase(approver, timezone.now()) == 1
    assert not SlackUserLink.objects.exists() and holder.erase(approver, timezone.now()) == 0
