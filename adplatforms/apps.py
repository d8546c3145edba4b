from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdPlatformsConfig(AppConfig):
    name = "adplatforms"
    verbose_name = _("Ad platforms")

    def ready(self):
        from adplatforms import clients
        from adplatforms.google.client import GoogleAdsClient
        from adplatforms.meta.client import MetaAdsClient

        clients.register("google", GoogleAdsClient)
        clients.register("meta", MetaAdsClient)
