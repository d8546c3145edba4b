from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = "Daily briefs"

    def ready(self):
        from briefs import tasks  # noqa: F401  (register the Celery task in every process)
