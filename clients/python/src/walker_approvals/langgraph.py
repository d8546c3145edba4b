"""Gate an unmodified LangGraph graph by Walker: run it, answer each human interrupt it raises through Walker's
approvers, resume it with `Command(resume=...)`, until it finishes.

    result = walker_approvals.langgraph.run(graph, {"messages": [...]}, config, client)

The graph needs a checkpointer (interrupts do). Each Walker request's idempotency key is the thread id and the
interrupt's id: a run that stopped while waiting (a crash, a timeout) and is started again on the same thread
answers the interrupt still pending there, finds the request it filed and never files a second one; a thread past
its interrupts is never resumed twice, so a tool never runs twice. Start it again with `input=None` to continue a
thread without a new turn.
"""

from typing import Any

from langgraph.types import Command

from walker_approvals.aclient import AsyncClient
from walker_approvals.client import Client
from walker_approvals.interrupts import asks_of, idempotency_key, resume_value


def run(graph, input: Any, config: dict, client: Client, *, timeout: float | None = None, **options) -> Any:
    """Invoke `graph` and answer its interrupts through Walker until it ends; its final output.

    `timeout` bounds each wait for a decision (DecisionTimeout: run again later, nothing is filed twice);
    `options` go to every request (`context`, `expires_in`, `actions`: graph action name -> Walker key)."""
    thread = _thread(config)
    payload = _resume(graph.get_state(config).interrupts, thread, client, timeout, options) or input
    while True:
        result = graph.invoke(payload, config)
        pending = graph.get_state(config).interrupts
        if not pending:
            return result
        payload = _resume(pending, thread, client, timeout, options)


async def arun(graph, input: Any, config: dict, client: AsyncClient, *, timeout: float | None = None, **options):
    """`run` for async graphs and `AsyncClient`."""
    thread = _thread(config)
    payload = await _aresume((await graph.aget_state(config)).interrupts, thread, client, timeout, options) or input
    while True:
        result = await graph.ainvoke(payload, config)
        pending = (await graph.aget_state(config)).interrupts
        if not pending:
            return result
        payload = await _aresume(pending, thread, client, timeout, options)


def _resume(pending, thread, client: Client, timeout, options) -> Command | None:
    """Every pending interrupt's actions filed first, so approvers see them together; then each decision awaited."""
    if not pending:
        return None
    filed = {
        interrupt.id: [client.request(**request) for request in _requests(interrupt, thread, options)]
        for interrupt in pending
    }
    answers = {}
    for interrupt in pending:
        decisions = [client.wait(asked.id, timeout) for asked in filed[interrupt.id]]
        answers[interrupt.id] = resume_value(interrupt.value, _asks(interrupt), decisions)
    return Command(resume=answers)


async def _aresume(pending, thread, client: AsyncClient, timeout, options) -> Command | None:
    if not pending:
        return None
    filed = {
        interrupt.id: [await client.request(**request) for request in _requests(interrupt, thread, options)]
        for interrupt in pending
    }
    answers = {}
    for interrupt in pending:
        decisions = [await client.wait(asked.id, timeout) for asked in filed[interrupt.id]]
        answers[interrupt.id] = resume_value(interrupt.value, _asks(interrupt), decisions)
    return Command(resume=answers)


def _asks(interrupt):
    return asks_of(interrupt.value, interrupt.response_schema)


def _requests(interrupt, thread: str, options: dict) -> list[dict]:
    return [_request(ask, idempotency_key(thread, interrupt.id, n), options) for n, ask in enumerate(_asks(interrupt))]


def _request(ask, key: str, options: dict) -> dict:
    actions = options.get("actions") or {}
    extra = {name: value for name, value in options.items() if name != "actions"}
    return {
        "action": actions.get(ask.name, ask.name),
        "args": ask.args,
        "description": ask.description,
        "allowed_decisions": ask.allowed,
        "idempotency_key": key,
        **extra,
    }


def _thread(config: dict) -> str:
    try:
        return str(config["configurable"]["thread_id"])
    except (KeyError, TypeError):
        raise ValueError("A gated graph runs on a thread: config={'configurable': {'thread_id': ...}}.") from None
