from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The read side of analytics: the dashboard, the analytics API and admin pages, CSV exports and the jobs
    that aggregate conversations and approvals into analytics' tables. Above the apps it reads; no models."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.models.signals import post_save

        from hitl.models import HITLApprovalHistory
        from reports import cache, tasks  # noqa: F401  (register Celery tasks in every process)

        post_save.connect(cache.approval_history_written, sender=HITLApprovalHistory, dispatch_uid="report_cache")
