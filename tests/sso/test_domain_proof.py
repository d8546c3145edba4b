"""A sign-in domain signs people in only once its tenant has proven it owns it (a DNS TXT record, checked against a DNS
server on 127.0.0.1), one tenant per domain, never a public mail domain nor one whose people are another tenant's;
accounts are made just in time only for an address the provider verified."""

import pytest
from django.urls import reverse

from tenants.identity.sso import domain_proof
from tenants.models import IdentityProvider, SignInDomain, User
from tests.factories import UserFactory
from tests.sso.conftest import signed_in_as, sso_sign_in, start


@pytest.fixture
def pending(provider):
    """A second domain of Acme's, claimed and not yet proven."""
    return SignInDomain.objects.create(provider=provider, domain="acme-outdoor.test")


@pytest.fixture
def admin_client(client, tenant_admin):
    client.force_login(tenant_admin)
    return client


@pytest.fixture
def globex(other_tenant, idp):
    return IdentityProvider.objects.create(
        tenant=other_tenant, issuer=idp.issuer, client_id="globex-client", client_secret="globex-secret-value-1234"
    )


def test_an_unproven_domain_does_not_route_the_company_step(client, pending):
    answer = start(client, "ana@acme-outdoor.test")
    assert answer.status_code == 200
    assert "No company sign-in is set up for acme-outdoor.test addresses" in answer.content.decode()


def test_a_provider_cannot_sign_in_an_address_of_its_unproven_domain(client, provider, idp, pending):
    idp.person.update(email="ana@acme-outdoor.test")
    answer = sso_sign_in(client)  # typed an acme.test address; the provider answered for the unproven domain
    assert answer.status_code == 403 and "does not sign in acme-outdoor.test addresses" in answer.content.decode()
    assert not User.objects.filter(email="ana@acme-outdoor.test").exists()


def test_the_record_at_the_domain_proves_it(dns, pending):
    dns.records["acme-outdoor.test"] = ["v=spf1 -all", pending.txt_record]
    domain_proof.prove(pending)
    pending.refresh_from_db()
    assert pending.verified_at is not None


def test_the_record_at_the_walker_name_proves_it(dns, pending):
    dns.records["_walker.acme-outdoor.test"] = [pending.txt_record]
    domain_proof.prove(pending)
    assert SignInDomain.objects.get(pk=pending.pk).verified_at is not None


def test_another_token_does_not_prove_it_and_says_so(dns, pending):
    dns.records["acme-outdoor.test"] = ["walker-verification=someone-elses-token"]
    with pytest.raises(domain_proof.DomainProofRefused, match="holds another Walker token"):
        domain_proof.prove(pending)
    assert SignInDomain.objects.get(pk=pending.pk).verified_at is None


def test_no_record_does_not_prove_it_and_says_what_to_add(dns, pending):
    with pytest.raises(domain_proof.DomainProofRefused) as refused:
        domain_proof.prove(pending)
    assert pending.txt_record in str(refused.value) and "_walker.acme-outdoor.test" in str(refused.value)
    assert dns.questions  # asked the configured server
    assert SignInDomain.objects.get(pk=pending.pk).verified_at is None


def test_a_resolver_that_does_not_answer_says_so(settings, pending):
    settings.SSO_DNS_NAMESERVERS, settings.SSO_DNS_PORT, settings.SSO_DNS_TIMEOUT_SECONDS = ["127.0.0.1"], 9, 0.3
    with pytest.raises(domain_proof.DomainProofRefused, match="could not be checked"):
        domain_proof.prove(pending)


def test_a_domain_another_tenant_proved_cannot_be_proven(dns, provider, globex):
    claim = SignInDomain.objects.create(provider=globex, domain="acme.test")  # claimed before Acme proved it
    dns.records["acme.test"] = [claim.txt_record]
    with pytest.raises(domain_proof.DomainProofRefused, match="already signs in through another provider"):
        domain_proof.prove(claim)
    assert SignInDomain.objects.get(pk=claim.pk).verified_at is None


def test_a_domain_whose_people_are_another_tenants_cannot_be_proven(dns, tenant, globex):
    UserFactory(tenant=tenant, email="member@acme.test")
    claim = SignInDomain.objects.create(provider=globex, domain="acme.test")
    dns.records["acme.test"] = [claim.txt_record]
    with pytest.raises(domain_proof.DomainProofRefused, match="another company"):
        domain_proof.prove(claim)


def test_a_public_mail_domain_cannot_be_proven(dns, globex):
    claim = SignInDomain(provider=globex, domain="gmail.com")
    claim.save()
    dns.records["gmail.com"] = [claim.txt_record]
    with pytest.raises(domain_proof.DomainProofRefused, match="public mail"):
        domain_proof.prove(claim)


def test_a_new_account_needs_an_address_the_provider_verified(client, provider, idp):
    idp.person["email_verified"] = False
    answer = sso_sign_in(client)
    assert answer.status_code == 403 and "has not verified your address" in answer.content.decode()
    assert signed_in_as(client) is None and not User.objects.filter(email="ana@acme.test").exists()


# The console


def _form(idp, domain):
    return {
        "issuer": idp.issuer,
        "client_id": "walker-client",
        "client_secret": "s3cret-1",
        "default_role": "member",
        "enabled": "on",
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "domains-0-domain": domain,
    }


@pytest.mark.parametrize("domain", ["gmail.com", "Outlook.com", "proton.me"])
def test_the_console_refuses_a_public_mail_domain(admin_client, idp, domain):
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), _form(idp, domain))
    assert answer.status_code == 200 and "is a public mail domain" in answer.content.decode()
    assert not IdentityProvider.objects.exists()


def test_the_console_refuses_a_domain_whose_people_are_another_tenants(admin_client, idp, outsider):
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), _form(idp, "globex.test"))
    assert answer.status_code == 200 and "People of another company" in answer.content.decode()
    assert not IdentityProvider.objects.exists()


def test_the_console_shows_each_domains_state_and_verifies_it(admin_client, provider, pending, dns):
    change = reverse("admin:tenants_identityprovider_change", args=[provider.pk])
    page = admin_client.get(change).content.decode()
    assert "Proven" in page and "Not proven" in page and pending.txt_record in page
    verify = change.removesuffix("change/") + "verify-domains/"
    assert verify in page

    said = [str(m) for m in admin_client.get(verify, follow=True).context["messages"]]
    assert any("acme-outdoor.test is not proven yet" in message for message in said)

    dns.records["_walker.acme-outdoor.test"] = [pending.txt_record]
    said = [str(m) for m in admin_client.get(verify, follow=True).context["messages"]]
    assert any("acme-outdoor.test is proven" in message for message in said)
    assert SignInDomain.objects.get(pk=pending.pk).verified_at is not None


def test_another_tenants_admin_cannot_verify_acmes_domains(client, outsider, provider):
    client.force_login(outsider)
    verify = reverse("admin:tenants_identityprovider_change", args=[provider.pk]).removesuffix("change/")
    assert client.get(verify + "verify-domains/").status_code == 404


def test_changing_a_proven_domain_makes_it_unproven(provider):
    row = provider.domains.get()
    token = row.verification_token
    row.domain = "acme-gear.test"
    row.save()
    row.refresh_from_db()
    assert row.verified_at is None and row.verification_token != token


def test_the_dashboard_tells_the_admin_of_unproven_domains(admin_client, pending):
    page = admin_client.get("/admin/").content.decode()
    assert 'data-testid="sso-domains-unproven"' in page and "acme-outdoor.test" in page
