"""The tenant's step-up policy: its defaults, its edit where the MFA policy is edited, the dashboard's word when it
is off, and that one tenant's policy never reaches another's approvals."""

from urllib.parse import urlsplit

import pytest

from hitl.links import make_link
from hitl.models import HITLApproval, RiskLevel
from tenants.demo import DEMO_TENANT
from tenants.identity.signin.step_up import LEVELS, reaches
from tenants.models import Tenant
from tenants.models.tenant import StepUpLevel
from tests.factories import TenantFactory
from tests.step_up.conftest import place_level

pytestmark = pytest.mark.django_db


def test_the_levels_are_hitls_risk_levels_in_order():
    assert RiskLevel.values == LEVELS and StepUpLevel.OFF == ""


def test_a_new_tenant_asks_from_high_risk_within_15_minutes_and_the_demo_is_off():
    tenant = Tenant.objects.create(name="New", slug="new")
    assert (tenant.step_up_risk_level, tenant.step_up_minutes) == ("high", 15)
    assert [reaches(tenant, level) for level in LEVELS] == [False, False, True, True]
    assert DEMO_TENANT["step_up_risk_level"] == ""
    assert not any(reaches(TenantFactory(), level) for level in LEVELS)  # the test tenants: off


def test_a_tenant_admin_edits_the_policy_where_the_mfa_policy_is(tenant, tenant_admin, console_as):
    client = console_as(tenant_admin)
    url = f"/admin/tenants/tenant/{tenant.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if not name.endswith("_url")}
    data.update({"mfa_required_roles": [], "mfa_trust_days": 30, "timezone": tenant.timezone, "name": tenant.name})
    data = {k: v for k, v in data.items() if v is not None and k not in ("remove_slack_webhook_url",)}
    refused = client.post(url, {**data, "step_up_risk_level": "extreme", "step_up_minutes": 0})
    assert set(refused.context["adminform"].form.errors) >= {"step_up_risk_level", "step_up_minutes"}
    saved = client.post(url, {**data, "step_up_risk_level": "critical", "step_up_minutes": 5})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    tenant.refresh_from_db()
    assert (tenant.step_up_risk_level, tenant.step_up_minutes) == ("critical", 5)


def test_the_dashboard_says_when_step_up_is_off(tenant, tenant_admin, console_as):
    client = console_as(tenant_admin)
    assert 'data-testid="step-up-off"' in client.get("/admin/").content.decode()
    place_level(tenant, "high")
    assert 'data-testid="step-up-off"' not in client.get("/admin/").content.decode()


def test_one_tenants_policy_never_reaches_anothers_approvals(client, ask, tenant, approver, other_tenant):
    """The other tenant asks from low risk; this tenant's policy is off: its link decides at any risk."""
    other_tenant.step_up_risk_level = "low"
    other_tenant.save()
    approval = ask()
    assert client.post(urlsplit(make_link(approval, approver, "approve")).path).status_code == 200
    assert HITLApproval.objects.get(pk=approval.pk).status != "pending"


def test_a_superuser_meets_the_policy_of_the_approvals_tenant(ask, tenant, superuser, console_as):
    approval = ask()
    place_level(tenant, approval.risk_level)
    response = console_as(superuser).post(f"/admin/hitl/hitlapproval/{approval.pk}/decide/", {"decision": "approve"})
    assert urlsplit(response["Location"]).path in ("/accounts/2fa/", "/accounts/2fa/reauthenticate/")
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending"
