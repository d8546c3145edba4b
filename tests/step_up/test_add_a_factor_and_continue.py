"""A person with no second factor, sent by a wall to add one, continues to where they were going: allauth ends the
adding on the recovery codes page, which had no way on (issue 50, point 7: "Continue" after the recovery codes)."""

from urllib.parse import quote, urlsplit

from hitl.models import HITLApproval
from tests.factories import PASSWORD
from tests.mfa.conftest import sign_in_with_password, totp_code
from tests.step_up.conftest import place_level

CONTINUE = "/accounts/2fa/continue/"


def add_an_authenticator_app(client):
    """allauth's pages: the password again, the app's secret, a code; returns where allauth sends the person."""
    asked = client.get("/accounts/2fa/totp/activate/")
    client.post(asked["Location"], {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    return client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})


def test_adding_a_factor_at_a_decisions_wall_continues_to_the_decision(transactional_db, ask, tenant, approver, client):
    """On a database that commits: allauth announces the new factor after its commit, during the request, and the
    session then counts it as shown (tenants.identity.signin.receivers), as in production."""
    approval = ask()
    place_level(tenant, approval.risk_level)
    sign_in_with_password(client, approver)
    decide = f"/admin/hitl/hitlapproval/{approval.pk}/decide/"
    away = client.post(decide, {"decision": "approve", "notes": "Fine for the sale"})
    assert away["Location"] == f"/accounts/2fa/?next={quote(decide, safe='')}"
    assert client.get(away["Location"]).status_code == 200  # the MFA page remembers where the person was going

    added = add_an_authenticator_app(client)
    assert added["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(added["Location"]).content.decode()
    assert f'href="{CONTINUE}"' in codes and 'data-testid="mfa-continue"' in codes

    on = client.get(CONTINUE)
    assert on["Location"] == decide
    taken = client.get(decide)  # adding the factor counts as showing it: the held decision is taken
    assert taken["Location"] == f"/admin/hitl/hitlapproval/{approval.pk}/change/"
    assert HITLApproval.objects.get(pk=approval.pk).status != "pending"
    assert client.get(CONTINUE)["Location"] == "/"  # spent: continuing again goes home


def test_continue_without_a_wall_goes_home(approver, client):
    sign_in_with_password(client, approver)
    assert client.get(CONTINUE)["Location"] == "/"


def test_a_next_to_another_site_is_not_remembered(approver, client):
    sign_in_with_password(client, approver)
    client.get("/accounts/2fa/?next=https://evil.example/steal")
    client.get("/accounts/2fa/?next=//evil.example/steal")
    assert client.get(CONTINUE)["Location"] == "/"


def test_continue_needs_a_signed_in_person(client):
    assert urlsplit(client.get(CONTINUE)["Location"]).path == "/accounts/login/"
