from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        from analytics import tasks  # noqa: F401  (register Celery tasks in every process)
