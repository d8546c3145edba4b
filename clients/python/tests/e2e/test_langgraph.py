"""Unmodified LangGraph graphs gated by Walker through `walker_approvals.langgraph.run`: an Agent Inbox graph
(`interrupt([HumanInterrupt])`) and LangChain's `create_agent` with `HumanInTheLoopMiddleware`, each driven by a
scripted chat model that calls the `update_budget` tool."""

import pytest
from journeys import ARGS, EDITED, EXPIRED, NOTE, REASON, journey, requests_with
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import interrupt

from walker_approvals import DecisionTimeout
from walker_approvals.langgraph import run


class ScriptedModel(GenericFakeChatModel):
    """Says its scripted messages in turn; tools are bound by name in the script, so binding changes nothing."""

    def bind_tools(self, tools, **kwargs):
        return self


def scripted():
    call = {"name": "update_budget", "args": ARGS, "id": "call-1"}
    return ScriptedModel(messages=iter([AIMessage("", tool_calls=[call]), AIMessage("Done.")]))


@pytest.fixture
def ran():
    return []


@pytest.fixture
def update_budget(ran):
    @tool
    def update_budget(campaign: str, amount: str) -> str:
        """Set a campaign's daily budget."""
        ran.append({"campaign": campaign, "amount": amount})
        return f"{campaign} is at {amount} a day."

    return update_budget


def inbox_graph(update_budget):
    """An Agent Inbox graph: its tool node asks a person with `interrupt([HumanInterrupt])` and acts on the answer."""
    model = scripted()

    def agent(state):
        return {"messages": [model.invoke(state["messages"])]}

    def tools(state):
        call = state["messages"][-1].tool_calls[0]
        config = {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": True}
        request = {"action_request": {"action": call["name"], "args": call["args"]}, "config": config}
        [response] = interrupt([{**request, "description": "Raise Summer Sale to 700 a day."}])
        if response["type"] == "accept":
            content = update_budget.invoke(call["args"])
        elif response["type"] == "edit":
            assert response["args"]["action"] == call["name"]
            content = update_budget.invoke(response["args"]["args"])
        elif response["type"] == "response":
            content = f"The approver says: {response['args']}"
        else:
            content = f"Rejected: {response['args']}"
        return {"messages": [ToolMessage(content, tool_call_id=call["id"])]}

    def route(state):
        return "tools" if state["messages"][-1].tool_calls else END

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", tools)
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", route, ["tools", END])
    graph.add_edge("tools", "agent")
    return graph.compile(checkpointer=InMemorySaver())


def middleware_agent(update_budget, mode="batched"):
    allowed = {"allowed_decisions": ["approve", "edit", "respond", "reject"]}
    hitl = HumanInTheLoopMiddleware(interrupt_on={"update_budget": allowed}, interrupt_mode=mode)
    return create_agent(scripted(), tools=[update_budget], middleware=[hitl], checkpointer=InMemorySaver())


def ask(thread):
    return {"messages": [{"role": "user", "content": "Raise Summer Sale to 700."}]}, {
        "configurable": {"thread_id": thread}
    }


def tool_answer(result) -> str:
    return next(m.content for m in result["messages"] if isinstance(m, ToolMessage))


def test_an_edit_runs_the_tool_once_with_the_edited_args(client, update_budget, ran):
    context = journey("edit")
    result = run(inbox_graph(update_budget), *ask(context), client, context=context)
    assert ran == [EDITED] and tool_answer(result) == "Summer Sale is at 500.00 a day."
    assert result["messages"][-1].content == "Done."


def test_a_rejection_never_runs_the_tool_and_the_agent_reads_the_reason(client, update_budget, ran):
    context = journey("reject")
    result = run(inbox_graph(update_budget), *ask(context), client, context=context)
    assert ran == [] and tool_answer(result) == f"Rejected: {REASON}"


def test_a_response_reaches_the_agent_and_the_tool_does_not_run(client, update_budget, ran):
    context = journey("respond")
    result = run(inbox_graph(update_budget), *ask(context), client, context=context)
    assert ran == [] and tool_answer(result) == f"The approver says: {NOTE}"


def test_an_expired_request_is_a_rejection(client, update_budget, ran):
    context = journey("expire")
    result = run(inbox_graph(update_budget), *ask(context), client, context=context, expires_in=300)
    assert ran == [] and tool_answer(result) == f"Rejected: {EXPIRED}"


def test_a_graph_started_again_finds_its_request_and_never_runs_the_tool_twice(client, update_budget, ran):
    context = journey("slow-accept")
    graph, (start, config) = inbox_graph(update_budget), ask(context)
    with pytest.raises(DecisionTimeout):
        run(graph, start, config, client, context=context, timeout=1)  # the agent gave up waiting
    result = run(graph, start, config, client, context=context)  # started again: the pending interrupt first
    assert ran == [ARGS] and result["messages"][-1].content == "Done."
    run(graph, None, config, client, context=context)  # and once more, past its interrupts: nothing runs
    assert ran == [ARGS] and len(requests_with(context)) == 1


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_the_middleware_runs_the_edited_call_once_under_its_own_name(client, update_budget, ran, mode):
    context = journey("edit")
    result = run(middleware_agent(update_budget, mode), *ask(context), client, context=context)
    assert ran == [EDITED] and "Summer Sale is at 500.00 a day." in tool_answer(result)


def test_the_middleware_tells_the_model_why_it_was_rejected(client, update_budget, ran):
    context = journey("reject")
    result = run(middleware_agent(update_budget), *ask(context), client, context=context)
    assert ran == [] and REASON in tool_answer(result)


async def test_an_async_graph_is_gated_the_same_way(aclient, update_budget, ran):
    from walker_approvals.langgraph import arun

    context = journey("respond")
    result = await arun(middleware_agent(update_budget), *ask(context), aclient, context=context)
    assert ran == [] and tool_answer(result) == NOTE
