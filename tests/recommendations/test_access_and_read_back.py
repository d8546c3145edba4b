"""Another tenant's recommendation ids are refused wherever an id arrives; an attempt that went silent is read back
(the sweep's `read_back`); Meta's recommendations are not read."""

import uuid

import pytest
from django.utils import timezone

from adplatforms.recommendations import executing, proposing
from adplatforms.recommendations.models import PlatformRecommendation, Status
from agents import action_specs
from agents.executors import ExecutionRequest, Verdict
from agents.executors.ledger import LedgerExecutor
from tests.recommendations.helpers import US, budget_recommendation, connected

pytestmark = pytest.mark.django_db


def request(tenant, data) -> ExecutionRequest:
    return ExecutionRequest(
        tenant=tenant,
        approval_id=str(uuid.uuid4()),
        reference="BR-1",
        action_type="apply_recommendation",
        action_data=data,
        approved_at=timezone.now(),
    )


def test_another_tenants_recommendation_id_is_refused_everywhere(google_ads, tenant, other_tenant):
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    data = PlatformRecommendation.objects.get().approval.action_data

    assert proposing.check(other_tenant, data) == "that recommendation does not exist in your account"
    spec = action_specs.spec_for("apply_recommendation")
    assert action_specs.check(spec, other_tenant, data) == "that campaign does not exist in your account"
    assert executing.route(request(other_tenant, data)) is None  # never routed to the owner's Google account
    with pytest.raises(Exception, match="applied on that platform only"):
        LedgerExecutor().execute(request(other_tenant, data))
    assert proposing.check(tenant, {**data, "recommendation_id": "not-a-uuid"}) == (
        "that recommendation does not exist in your account"
    )


def test_a_silent_attempt_is_read_back_from_google(google_ads, tenant):
    rec = budget_recommendation(google_ads)
    connected(google_ads, tenant)
    row = PlatformRecommendation.objects.get()
    executor = executing.route(request(tenant, row.approval.action_data))
    ask = request(tenant, row.approval.action_data)

    assert executor.read_back(ask).verdict == Verdict.NOT_APPLIED  # still offered: safe to run again

    PlatformRecommendation.objects.update(apply_sent_at=timezone.now())  # its apply went out, then silence
    rec.applied = True
    google_ads.customers[US].budgets["5002"].amount_micros = 60_000_000
    back = executor.read_back(ask)
    assert back.verdict == Verdict.APPLIED and back.result is not None
    assert PlatformRecommendation.objects.get().status == Status.APPLIED


def test_a_recommendation_gone_without_walkers_apply_reads_back_as_drifted(google_ads, tenant):
    rec = budget_recommendation(google_ads)
    connected(google_ads, tenant)
    row = PlatformRecommendation.objects.get()
    rec.dismissed = True  # dismissed on Google by someone, no apply of Walker's sent

    back = executing.route(request(tenant, row.approval.action_data)).read_back(
        request(tenant, row.approval.action_data)
    )

    assert back.verdict == Verdict.DRIFTED
    assert str(back.detail) == "Google Ads no longer offers this recommendation; nothing was applied"
