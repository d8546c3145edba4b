from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self):
        from conversations import tasks  # noqa: F401  (register Celery tasks in every process)
