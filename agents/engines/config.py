"""Which engine answers, and where: an agent's own choice, else its tenant's, else the environment's."""

from dataclasses import dataclass

from django.conf import settings

from agents.models import EngineChoice


@dataclass(frozen=True)
class EngineConfig:
    engine: str  # builtin | langflow | openai
    endpoint: str = ""  # OpenAI base URL or Langflow server URL
    model: str = ""  # OpenAI model or Langflow flow id
    api_key: str = ""
    tools_component: str = ""  # Langflow only
    tenant_set: bool = False  # the endpoint came from a tenant: public addresses only (tenants.outbound)


def environment(engine: str) -> EngineConfig:
    """`engine` as the environment configures it (OPENAI_*, LANGFLOW_*)."""
    if engine == "openai":
        return EngineConfig("openai", settings.OPENAI_BASE_URL, settings.OPENAI_MODEL, settings.OPENAI_API_KEY)
    if engine == "langflow":
        return EngineConfig(
            "langflow",
            settings.LANGFLOW_URL,
            settings.LANGFLOW_FLOW_ID,
            settings.LANGFLOW_API_KEY,
            settings.LANGFLOW_TOOLS_COMPONENT,
        )
    return EngineConfig(engine)


def config_for(tenant, agent) -> EngineConfig:
    if tenant is None:
        return environment(settings.AGENT_ENGINE)
    choice = _applied_choice(tenant, agent)
    if choice is None:
        return environment(settings.AGENT_ENGINE)
    endpoint = choice.endpoint.rstrip("/")
    if choice.engine == EngineChoice.Engine.OPENAI and not endpoint:
        endpoint = "https://api.openai.com/v1"
    return EngineConfig(
        choice.engine, endpoint, choice.model, choice.api_key, choice.tools_component, tenant_set=bool(choice.endpoint)
    )


def _applied_choice(tenant, agent) -> EngineChoice | None:
    """The agent's own choice, else the tenant's for every agent. An agent from `AIAgent.objects.serving` knows
    which already (`applied_engine_choice`): none is then no query, one is one."""
    if hasattr(agent, "applied_engine_choice"):
        applied = agent.applied_engine_choice
        return EngineChoice.objects.filter(pk=applied).first() if applied is not None else None
    choices = {c.agent_id: c for c in EngineChoice.objects.filter(tenant=tenant)}
    return choices.get(getattr(agent, "pk", None)) or choices.get(None)
