"""Issue 31, point 5: the agents name themselves in the reader's language ("agente de Anuncios de pago", never
"agente de Paid Ads"): the help, the greeting and the hand-over note use the agent type's translated label."""

import pytest
from django.utils import translation

from agents.engines.base import EngineRequest
from agents.engines.builtin import BuiltinEngine
from agents.models import AgentType, AIAgent
from conversations.normalized import InboundMessage
from tests.pipeline import exchange

SPANISH_NAMES = {
    "paid_ads": "Anuncios de pago",
    "seo": "SEO",  # a product name, the same in Spanish
    "content": "Contenido",
    "audience": "Inteligencia de audiencias",
}


def reply_of(user, agent_type: str, text: str) -> str:
    request = EngineRequest(
        tenant=user.tenant,
        user=user,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type=agent_type),
        conversation_id="names",
        text=text,
    )
    with translation.override("es"):  # as the pipeline speaks to a message written in Spanish
        return BuiltinEngine().run(request).text


@pytest.mark.parametrize("agent_type", AgentType.values)
def test_spanish_help_and_greeting_name_the_agent_in_spanish(nlu_world, agent_type):
    name = SPANISH_NAMES[agent_type]
    assert reply_of(nlu_world, agent_type, "¿Qué puedes hacer?").startswith(f"Soy tu agente de {name}: ")
    assert reply_of(nlu_world, agent_type, "Hola").startswith(f"¡Hola! Soy tu agente de {name}.")


def test_every_agent_types_label_is_translated():
    with translation.override("es"):
        labels = {value: str(AgentType(value).label) for value in AgentType.values}
    assert labels == SPANISH_NAMES


def test_the_hand_over_note_names_the_agent_in_spanish(nlu_world):
    result = exchange(
        InboundMessage(
            channel="chat",
            text="Sube el presupuesto de Summer Sale a 700 dólares al día",
            user_id=nlu_world.pk,
            agent_type="seo",
        )
    )
    assert result.reply.text.startswith("Esto le corresponde al agente de Anuncios de pago, así que se lo he pasado.")
