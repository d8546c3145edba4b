"""The approval queue as Prometheus reads it at each scrape: approvals waiting and the age of the oldest, by risk
level (one grouped query over the pending rows, served by the `(status, ...)` indexes). Registered on the
exposition's registry by `config.metrics`."""

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from hitl.models import ApprovalStatus, HITLApproval, RiskLevel


class ApprovalsWaiting:
    """A prometheus-client custom collector; every risk level is reported, 0 when none waits."""

    def collect(self):
        waiting = GaugeMetricFamily(
            "walker_approvals_waiting", "Approvals waiting for a decision, by risk level.", labels=["risk_level"]
        )
        oldest = GaugeMetricFamily(
            "walker_approval_oldest_waiting_seconds",
            "Age of the oldest approval waiting for a decision, by risk level (0 when none waits).",
            labels=["risk_level"],
        )
        rows = (
            HITLApproval.objects.filter(status=ApprovalStatus.PENDING)
            .values("risk_level")
            .annotate(count=Count("pk"), first=Min("requested_at"))
        )
        by_level = {row["risk_level"]: row for row in rows}
        now = timezone.now()
        for level in RiskLevel.values:
            row = by_level.get(level)
            waiting.add_metric([level], row["count"] if row else 0)
            oldest.add_metric([level], max((now - row["first"]).total_seconds(), 0) if row else 0)
        yield waiting
        yield oldest

    def describe(self):
        return []  # collected only when scraped: registering it runs no query
