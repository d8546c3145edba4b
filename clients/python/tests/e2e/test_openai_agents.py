"""An OpenAI Agents SDK agent whose `update_budget` tool needs approval, gated by Walker through
`walker_approvals.openai_agents.run`, with a scripted model (no network) that calls the tool, then says what
the tool (or the approver, in its place) answered."""

import json

import pytest
from agents import Agent, ModelResponse, Usage, function_tool, set_tracing_disabled
from agents.models.interface import Model
from journeys import ARGS, NOTE, REASON, journey, requests_with
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

from walker_approvals.openai_agents import run


class ScriptedModel(Model):
    """First turn: call update_budget with ARGS. Next: say the tool's output back, so the test reads what the
    model was told."""

    async def get_response(self, system_instructions, input, model_settings, tools, output_schema, handoffs,
                           tracing, *, previous_response_id=None, conversation_id=None, prompt=None):  # fmt: skip
        outputs = [
            item["output"] for item in input if isinstance(item, dict) and item.get("type") == "function_call_output"
        ]  # noqa: E501
        if not outputs:
            call = ResponseFunctionToolCall(
                type="function_call", call_id="call-1", name="update_budget", arguments=json.dumps(ARGS), id="fc-1"
            )
            return ModelResponse(output=[call], usage=Usage(), response_id=None)
        text = ResponseOutputText(type="output_text", text=f"Tool said: {outputs[-1]}", annotations=[])
        message = ResponseOutputMessage(
            type="message", id="msg-1", role="assistant", status="completed", content=[text]
        )
        return ModelResponse(output=[message], usage=Usage(), response_id=None)

    def stream_response(self, *args, **kwargs):
        raise NotImplementedError("these journeys run Runner.run, which never streams")


@pytest.fixture(autouse=True)
def no_tracing():
    """The SDK would export traces to OpenAI; these journeys never leave the machine."""
    set_tracing_disabled(True)


@pytest.fixture
def ran():
    return []


@pytest.fixture
def agent(ran):
    @function_tool(needs_approval=True)
    def update_budget(campaign: str, amount: str) -> str:
        """Set a campaign's daily budget."""
        ran.append({"campaign": campaign, "amount": amount})
        return f"{campaign} is at {amount} a day."

    return Agent(name="Budget agent", instructions="Keep budgets right.", model=ScriptedModel(), tools=[update_budget])


async def test_an_accepted_call_runs_once_with_the_models_args(aclient, agent, ran):
    context = journey("accept")
    result = await run(agent, "Raise Summer Sale to 700.", aclient, context=context)
    assert ran == [ARGS] and result.final_output == "Tool said: Summer Sale is at 700.00 a day."
    [asked] = requests_with(context)
    assert "edit" not in asked["allowed_decisions"]  # the SDK cannot run a call with other args


async def test_a_rejected_call_never_runs_and_the_model_reads_the_reason(aclient, agent, ran):
    result = await run(agent, "Raise Summer Sale to 700.", aclient, context=journey("reject"))
    assert ran == [] and result.final_output == f"Tool said: {REASON}"


async def test_a_response_reaches_the_model_in_the_tools_place(aclient, agent, ran):
    result = await run(agent, "Raise Summer Sale to 700.", aclient, context=journey("respond"))
    assert ran == [] and result.final_output == f"Tool said: {NOTE}"


async def test_running_the_same_conversation_again_files_nothing_new(aclient, agent, ran):
    context = journey("reject")
    await run(agent, "Raise Summer Sale to 700.", aclient, context=context, run_id=context)
    await run(agent, "Raise Summer Sale to 700.", aclient, context=context, run_id=context)
    assert ran == [] and len(requests_with(context)) == 1
