"""Per-tenant copies of what rarely changes and every answer reads: the tenant's agents, its campaigns, and
whether it chose an engine of its own (the choice itself, with its key, is never cached).

Kept in Django's cache (Redis in production, shared by daphne and the workers) and
dropped whenever a row is saved or deleted through the ORM (see AgentsConfig.ready).
"""

from django.core.cache import cache
from django.db.models import Q

from agents.models import AIAgent, Campaign, EngineChoice

TTL_SECONDS = 3600  # a bound on staleness should a change bypass the signals
_AGENTS_GENERATION = "agents:generation"  # bumped when a system agent changes: every tenant's copy is stale


def _agents_key(tenant_id) -> str:
    generation = cache.get_or_set(_AGENTS_GENERATION, 1, timeout=None)
    return f"agents:{generation}:{tenant_id}"


def agent_for(tenant, agent_type: str) -> AIAgent | None:
    """The agent that serves `agent_type` for `tenant`: its own active one (the oldest), else the system one."""
    key = _agents_key(tenant.pk)
    serving = cache.get(key)
    if serving is None:
        serving = {}
        candidates = AIAgent.objects.filter(is_active=True).filter(Q(tenant=tenant) | Q(is_system_agent=True))
        for agent in candidates.order_by("-is_system_agent", "-created_at"):  # the tenant's own, oldest, wins
            serving[agent.agent_type] = agent
        cache.set(key, serving, TTL_SECONDS)
    return serving.get(agent_type)


def campaigns_for(tenant) -> list[Campaign]:
    key = f"campaigns:{tenant.pk}"
    campaigns = cache.get(key)
    if campaigns is None:
        campaigns = list(Campaign.objects.for_tenant(tenant))
        cache.set(key, campaigns, TTL_SECONDS)
    return campaigns


def forget_agents(sender, instance: AIAgent, **kwargs) -> None:
    if instance.tenant_id is None:
        try:
            cache.incr(_AGENTS_GENERATION)
        except ValueError:  # never set, or evicted: nothing is cached under it either
            pass
    else:
        cache.delete(_agents_key(instance.tenant_id))


def forget_campaigns(sender, instance: Campaign, **kwargs) -> None:
    cache.delete(f"campaigns:{instance.tenant_id}")


def has_engine_choice(tenant) -> bool:
    key = f"engine-choice:{tenant.pk}"
    chosen = cache.get(key)
    if chosen is None:
        chosen = EngineChoice.objects.filter(tenant=tenant).exists()
        cache.set(key, chosen, TTL_SECONDS)
    return chosen


def forget_engine_choice(sender, instance: EngineChoice, **kwargs) -> None:
    cache.delete(f"engine-choice:{instance.tenant_id}")
