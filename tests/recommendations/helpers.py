"""A tenant connected to the fake Google Ads and synced (its campaigns linked), the fake's recommendations, and what
the fake was sent."""

from adplatforms.models import AdConnection
from adplatforms.recommendations.models import PlatformRecommendation
from adplatforms.sync import sync_connection
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import run_execution

US, JAPAN = "1234567890", "9876543210"
WEEK = {"impressions": 10_000, "clicks": 1200, "cost_micros": 3_500_000_000, "conversions": 40}
MORE = {"impressions": 13_000, "clicks": 1450, "cost_micros": 4_550_000_000, "conversions": 52}
YEN_WEEK = {"clicks": 300, "cost_micros": 35_000_000_000, "conversions": 12}
YEN_MORE = {"clicks": 390, "cost_micros": 45_500_000_000, "conversions": 15.5}


def connected(fake, tenant, account=US) -> AdConnection:
    """`tenant`'s connection to the fake's `account`, synced once (campaigns linked, recommendations filed)."""
    connection = AdConnection.objects.create(
        tenant=tenant,
        platform="google",
        account_id=account,
        developer_token=fake.developer_token,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        refresh_token=fake.refresh_token,
    )
    sync(connection)
    return connection


def sync(connection):
    run = sync_connection(AdConnection.objects.get(pk=connection.pk))
    assert run.status == "succeeded", run.error
    return run


def budget_recommendation(fake, account=US, rec_id="r1", campaign_id="120", micros=60_000_000, **kwargs):
    """Google recommends the campaign's own budget (5002, $40.00 on the demo US account) rise to `micros`."""
    return fake.add_recommendation(
        account, rec_id, "CAMPAIGN_BUDGET", campaign_id, budget_micros=micros,
        base=kwargs.pop("base", WEEK), potential=kwargs.pop("potential", MORE), **kwargs,
    )  # fmt: skip


def calls(fake, method) -> list:
    """The bodies of the requests sent to `method` (e.g. "recommendations:apply"), in order."""
    return [r.body for r in fake.ads_requests() if r.path.endswith(method)]


def refused_before_applying(fake, approval, approver, code: str) -> HITLApproval:
    """`approval` approved and run: Google refused it with `code` before anything was applied (no apply sent)."""
    approve(approval.pk, actor=approver)
    assert run_execution(approval.pk, max_attempts=5) == "failed"
    failed = HITLApproval.objects.get(pk=approval.pk)
    assert failed.execution_error.startswith("Google Ads refused the change: ")
    assert code in failed.execution_error
    assert calls(fake, "recommendations:apply") == []
    assert PlatformRecommendation.objects.get(approval=approval).apply_sent_at is None
    return failed
