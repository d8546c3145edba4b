from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HitlConfig(AppConfig):
    name = "hitl"
    verbose_name = _("Human in the loop")

    def ready(self):
        # Register the Celery tasks in every process (web too), not only in workers that
        # autodiscover them: decisions queue execution and notifications by task name.
        from django.db.models.signals import post_migrate, post_save

        from hitl import access, callbacks, tasks  # noqa: F401
        from hitl import personal_data as held
        from hitl.models import HITLApprovalHistory
        from tenants.privacy.personal_data import register

        post_migrate.connect(access.forget_decide_permission, dispatch_uid="hitl.forget_decide_permission")
        # Each decision on an outside agent's request wakes its waits and queues its callback, whichever door or
        # clock decided.
        post_save.connect(callbacks.on_history_saved, sender=HITLApprovalHistory, dispatch_uid="hitl.callbacks")

        register(
            "notifications",
            label=_("Approval notifications"),
            export=held.export_notifications,
            erase=held.erase_notifications,
            order=20,
        )
        register(
            "approval_requests",
            label=_("Approval requests"),
            export=held.export_requests,
            erase=held.erase_requests,
            order=25,
        )
        register(
            "approval_decisions",
            label=_("Approval decisions"),
            export=held.export_decisions,
            erase=held.erase_decisions,
            order=25,
        )

        from agents import read_tools
        from hitl.read_tools import PENDING_APPROVALS

        read_tools.register(PENDING_APPROVALS)
