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

        from hitl.personal_data import erase_notifications, export_notifications
        from tenants.personal_data import register

        register("notifications", export=export_notifications, erase=erase_notifications, order=20)

        from agents import read_tools
        from hitl.read_tools import PENDING_APPROVALS

        read_tools.register(PENDING_APPROVALS)
