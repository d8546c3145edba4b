from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class ChannelsAppConfig(AppConfig):
    name = "channels_app"
    verbose_name = _("Channels")

    def ready(self):
        from channels_app.email import tasks as email_tasks
        from channels_app.whatsapp import code_requests, deliver, tasks
        from conversations.delivery import register_direct_sender, register_sender
        from tenants.models import UserPhoneNumber

        register_sender("email", email_tasks.send_message)
        register_sender("whatsapp", tasks.deliver_message, refuse=deliver.refuse)
        register_direct_sender("whatsapp", deliver.send_direct)
        post_save.connect(
            code_requests.on_phone_saved, sender=UserPhoneNumber, dispatch_uid="whatsapp-phone-verification"
        )

        from channels_app.whatsapp import numbers
        from channels_app.whatsapp.models import WhatsAppSender
        from tenants.models import Tenant

        pre_save.connect(numbers.forget_number, sender=WhatsAppSender, dispatch_uid="whatsapp-number-saved")
        pre_delete.connect(numbers.forget_number, sender=WhatsAppSender, dispatch_uid="whatsapp-number-deleted")
        post_save.connect(numbers.forget_tenant, sender=Tenant, dispatch_uid="whatsapp-number-tenant-saved")

        from channels_app.email.answers import erase_answered, export_answered
        from channels_app.whatsapp.personal_data import erase_whatsapp, export_whatsapp
        from tenants.privacy.personal_data import register

        # WhatsApp before the phones go
        register("whatsapp", label=_("WhatsApp numbers"), export=export_whatsapp, erase=erase_whatsapp, order=40)
        # Email answers before the address goes
        register("email_answers", label=_("Email answers"), export=export_answered, erase=erase_answered, order=40)

        from channels_app.slack import notifier
        from channels_app.slack import personal_data as slack_held
        from channels_app.slack import tasks as slack_tasks  # noqa: F401  (its tasks, in every process)

        notifier.register()  # hitl's "slack" notifications: the Slack app, else the tenant's incoming webhook
        from channels_app.slack import support_posts

        register_direct_sender("slack", support_posts.post)  # posts for support (a customer asked for a person)
        register(
            "slack_links",
            label=_("Slack links"),
            export=slack_held.export_links,
            erase=slack_held.erase_links,
            order=25,
        )

        from tenants.privacy.encrypted_columns import register_json_key

        register_json_key("conversations.Message", "metadata", "subject_values")  # an email's sealed subject
        register_json_key("conversations.Message", "metadata", "attachment_names")  # and its attachments' names
