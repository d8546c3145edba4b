from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from analytics.personal_data import erase_email_deliveries, export_email_deliveries
        from tenants.privacy.personal_data import register

        register(
            "email_deliveries",
            label=_("Email deliveries"),
            export=export_email_deliveries,
            erase=erase_email_deliveries,
            order=30,
        )
