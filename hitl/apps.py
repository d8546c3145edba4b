from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HitlConfig(AppConfig):
    name = "hitl"
    verbose_name = _("Human in the loop")

    def ready(self):
        # Register the Celery tasks in every process (web too), not only in workers that
        # autodiscover them: decisions queue execution and notifications by task name.
        from hitl import personal_data as held
        from hitl import tasks  # noqa: F401
        from tenants.privacy.personal_data import register

        register("notifications", export=held.export_notifications, erase=held.erase_notifications, order=20)
        register("approval_requests", export=held.export_requests, erase=held.erase_requests, order=25)
        register("approval_decisions", export=held.export_decisions, erase=held.erase_decisions, order=25)

        from agents import read_tools
        from hitl.read_tools import PENDING_APPROVALS

        read_tools.register(PENDING_APPROVALS)
