from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AgentsConfig(AppConfig):
    name = "agents"

    def ready(self):
        from agents import cache
        from agents.models import AIAgent, Campaign, EngineChoice

        for signal in (post_save, post_delete):
            signal.connect(cache.forget_agents, sender=AIAgent, dispatch_uid="agents-cache-agents")
            signal.connect(cache.forget_campaigns, sender=Campaign, dispatch_uid="agents-cache-campaigns")
            signal.connect(cache.forget_engine_choice, sender=EngineChoice, dispatch_uid="agents-cache-engine-choice")
