from django.apps import AppConfig


class HitlConfig(AppConfig):
    name = "hitl"
    verbose_name = "Human in the loop"

    def ready(self):
        # Register the Celery tasks in every process (web too), not only in workers that
        # autodiscover them: decisions queue execution and notifications by task name.
        from django.db.models.signals import post_delete, post_save

        from hitl import tasks  # noqa: F401
        from hitl.models import RiskPolicy
        from hitl.risk import forget_policy

        for signal in (post_save, post_delete):
            signal.connect(forget_policy, sender=RiskPolicy, dispatch_uid="hitl-forget-risk-policy")

        from hitl import personal_data as held
        from tenants.personal_data import register

        register("notifications", export=held.export_notifications, erase=held.erase_notifications, order=20)
        register("approval_requests", export=held.export_requests, erase=held.erase_requests, order=25)
        register("approval_decisions", export=held.export_decisions, erase=held.erase_decisions, order=25)

        from agents import read_tools
        from hitl.read_tools import PENDING_APPROVALS

        read_tools.register(PENDING_APPROVALS)
