"""Engine back-ends. `get_engine(tenant, agent)` returns the one that answers for them; `run_engine` runs it.

An engine whose class says `external = True` sends the conversation out of Walker (an LLM provider):
it receives personal data as placeholders unless the tenant chose to share it.
"""

from django.utils.module_loading import import_string

from agents.engines.base import EngineReply, EngineRequest

ENGINES = {
    "builtin": "agents.engines.builtin.BuiltinEngine",
    "langflow": "agents.engines.langflow.LangflowEngine",
    "openai": "agents.engines.openai_engine.OpenAIEngine",
}


def get_engine(tenant=None, agent=None):
    from agents.engines.config import config_for  # models: imported once apps are ready

    config = config_for(tenant, agent)
    return import_string(ENGINES[config.engine])(config)


def run_engine(engine, request: EngineRequest) -> EngineReply:
    if getattr(engine, "external", True) and not request.tenant.share_personal_data_with_llm:
        request = request.without_personal_data()
    return engine.run(request)
