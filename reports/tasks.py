"""Beat-driven analytics jobs: per tenant, each tenant's failure logged and the others carried on."""

import logging

from celery import shared_task

from reports import approval_stats, conversation_metrics, dashboard
from reports.cache import figures_changed
from tenants.models import Tenant

log = logging.getLogger(__name__)

# The tasks kept the names they had in `analytics`: django-celery-beat rows in the database may name them.


@shared_task(name="analytics.tasks.refresh_conversation_metrics", expires=55)
def refresh_conversation_metrics() -> dict:
    """Conversations with events since each tenant's watermark get their metrics recomputed, and the tenant's
    dashboard its figures before anyone opens it again (reports.dashboard.warm)."""
    done = {}
    for tenant in Tenant.objects.only("pk", "timezone"):
        try:
            done[str(tenant.pk)] = conversation_metrics.refresh_tenant(tenant.pk)
            if done[str(tenant.pk)]:  # some conversations recomputed (None: another run holds the tenant)
                figures_changed(tenant.pk)
                _warm_dashboard(tenant)
        except Exception:  # one tenant's bad row must not stop the others (healthchecks' sendalerts)
            log.exception("Conversation metrics failed for tenant %s", tenant.pk)
    return done


def _warm_dashboard(tenant) -> None:
    try:
        dashboard.warm(tenant)
    except Exception:  # the metrics are written: the dashboard's first viewer computes its figures instead
        log.exception("Dashboard figures of tenant %s not computed ahead", tenant.pk)


@shared_task(name="analytics.tasks.aggregate_approvals", expires=600)
def aggregate_approvals() -> dict:
    """Recompute the periods whose approvals changed since each tenant's watermark, and today's."""
    done = {}
    for tenant in Tenant.objects.all():
        try:
            done[str(tenant.pk)] = len(approval_stats.refresh_tenant(tenant))
            if done[str(tenant.pk)]:
                figures_changed(tenant.pk)
        except Exception:
            log.exception("Approval analytics failed for tenant %s", tenant.pk)
    return done
