from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdPlatformsConfig(AppConfig):
    name = "adplatforms"
    verbose_name = _("Ad platforms")

    def ready(self):
        from adplatforms import clients, executor, proposals
        from adplatforms.google.client import GoogleAdsClient
        from adplatforms.meta.client import MetaAdsClient
        from agents import action_specs, executors

        clients.register("google", GoogleAdsClient)
        clients.register("meta", MetaAdsClient)
        # Approved changes of a synced campaign run on its platform; proposals for one pass its guardrails first.
        executors.register_router(executor.route)
        action_specs.register_check("set_budget", proposals.check_budget)
        action_specs.register_check("pause_campaign", proposals.check_status)
        action_specs.register_check("resume_campaign", proposals.check_status)
