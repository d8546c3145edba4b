from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    name = "channels_app"
    verbose_name = "Channels"

    def ready(self):
        from channels_app import checks  # noqa: F401  (registers the provider check)
        from channels_app.email import tasks as email_tasks
        from conversations.delivery import register_sender

        register_sender("email", email_tasks.deliver)
