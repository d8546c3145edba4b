from django.apps import AppConfig


class HitlConfig(AppConfig):
    name = "hitl"
    verbose_name = "Human in the loop"

    def ready(self):
        # Register the Celery tasks in every process (web too), not only in workers that
        # autodiscover them: decisions queue execution and notifications by task name.
        from hitl import tasks  # noqa: F401
