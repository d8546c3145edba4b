"""Engine back-ends. `get_engine()` returns the one AGENT_ENGINE names."""

from django.conf import settings
from django.utils.module_loading import import_string

ENGINES = {
    "builtin": "agents.engines.builtin.BuiltinEngine",
    "langflow": "agents.engines.langflow.LangflowEngine",
    "openai": "agents.engines.openai_engine.OpenAIEngine",
}


def get_engine():
    return import_string(ENGINES[settings.AGENT_ENGINE])()
