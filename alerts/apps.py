from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self):
        # Register the Celery tasks in every process: an evaluation queues its notices' sends by task name.
        from alerts import tasks  # noqa: F401
