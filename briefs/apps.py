from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = _("Daily briefs")

    def ready(self):
        from briefs import asked, tasks  # noqa: F401  (tasks: register the Celery task in every process)

        asked.register_channel_command()
