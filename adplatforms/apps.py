from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdPlatformsConfig(AppConfig):
    name = "adplatforms"
    verbose_name = _("Ad platforms")

    def ready(self):
        from adplatforms import clients, executor, later_changes, proposals
        from adplatforms.google.client import GoogleAdsClient
        from adplatforms.meta.client import MetaAdsClient
        from adplatforms.recommendations import executing, proposing
        from agents import action_specs, executors
        from hitl.payoff import held

        clients.register("google", GoogleAdsClient)
        clients.register("meta", MetaAdsClient)
        # Approved changes of a synced campaign run on its platform; proposals for one pass its guardrails first.
        executors.register_router(executor.route)
        executors.register_router(executing.route)
        action_specs.register_check("set_budget", proposals.check_budget)
        action_specs.register_check("pause_campaign", proposals.check_status)
        action_specs.register_check("resume_campaign", proposals.check_status)
        action_specs.register_check(proposing.APPLY, proposing.check)
        # The approval's "did it pay off" asks whether a change held: the campaign's later changes are recorded here.
        held.register_later_changes(later_changes.later_changes)
