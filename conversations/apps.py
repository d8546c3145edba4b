from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self):
        from conversations import signals, tasks  # noqa: F401  (connect receivers; register Celery tasks)
