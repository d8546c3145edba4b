from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self):
        # Register the Celery tasks in every process: an evaluation queues its notices' sends by task name.
        from alerts import personal_data as held
        from alerts import slack_notices, tasks  # noqa: F401
        from alerts.models import NoticeChannel
        from alerts.sending import register_sender
        from tenants.privacy.personal_data import register

        register(
            "alert_notices", label=_("Alert notices"), export=held.export_notices, erase=held.erase_notices, order=20
        )
        register("alert_rules", label=_("Alert rules"), export=held.export_rules, erase=held.erase_rules, order=20)
        register_sender(NoticeChannel.SLACK, slack_notices.post)
