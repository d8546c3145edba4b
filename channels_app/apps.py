from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    name = "channels_app"
    verbose_name = "Channels"

    def ready(self):
        from channels_app import checks  # noqa: F401  (registers the provider check)
        from conversations.delivery import register_live_channel

        register_live_channel("chat")  # the chat widget shows approval changes as they happen
