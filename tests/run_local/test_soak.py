"""`make run`'s shape under steady use: bin/run-local with beat ticking every few seconds and a client writing to
the agent through the API the whole time; every message is answered, no process dies, and no log line is an error
(issue 46: after 44 minutes the worker died on a message file beat had not finished writing).

WALKER_SOAK_SECONDS sets how long the client writes (20 in the suite: ten of beat's 2 s ticks; docs/architecture.md
records a 600 s run).
"""

import os
import re
import time

import httpx
import pytest

from tests.workers import wait_for

SOAK_SECONDS = float(os.environ.get("WALKER_SOAK_SECONDS", "20"))
# Slow; and the run's own length plus room for migrating the template database and starting the processes.
pytestmark = [pytest.mark.slow, pytest.mark.processes, pytest.mark.shape_free, pytest.mark.timeout(SOAK_SECONDS + 900)]
MESSAGES_PER_CONVERSATION = 10
ERROR_LINE = re.compile(r"\[(error|critical)\s*\]|\b(ERROR|CRITICAL)\b|Traceback|Unrecoverable")
BEAT_SENT = re.compile(r"Sending due task soak: SLA deadlines")


def test_every_message_is_answered_and_nothing_fails_while_beat_ticks(run_local, seeded_var):
    _template, token = seeded_var
    run_local.wait_ready()
    api = httpx.Client(base_url=run_local.url, headers={"Authorization": f"Token {token}"}, timeout=60)
    sent, answered_at_once, late, refused = 0, 0, [], []
    conversation = None
    deadline = time.monotonic() + SOAK_SECONDS
    while time.monotonic() < deadline:
        if sent % MESSAGES_PER_CONVERSATION == 0:
            conversation = api.post("/api/conversations/", json={"channel": "api"}).json()["id"]
        response = api.post(
            f"/api/conversations/{conversation}/messages/?wait=30",
            json={"message": f"How are my campaigns doing? ({sent})", "client_msg_id": f"soak-{sent}"},
        )
        sent += 1
        if response.status_code == 200 and response.json()["reply"]:
            answered_at_once += 1
        elif response.status_code == 202:
            late.append((conversation, response.json()["message"]["id"]))
        else:
            refused.append((response.status_code, response.text[:300]))

    def answered_late(conversation_id, message_id):
        def answered() -> bool:
            events = api.get(f"/api/conversations/{conversation_id}/events/?after=0").json()["events"]
            return any(e["type"] == "agent_response" and e.get("in_reply_to") == message_id for e in events)

        return answered

    for conversation_id, message_id in late:
        wait_for(answered_late(conversation_id, message_id), f"the answer to {message_id}", timeout=120)

    output = run_local.output()
    errors = [line for line in output.splitlines() if ERROR_LINE.search(line)]
    restarts = [line for line in output.splitlines() if line.startswith("run-local: ")]
    ticks = len(BEAT_SENT.findall(output))
    print(
        f"\nsoak: {SOAK_SECONDS:.0f} s, messages sent {sent}, answered {answered_at_once + len(late)} "
        f"({len(late)} after the 30 s wait), refused {len(refused)}, error lines {len(errors)}, "
        f"restarts {len(restarts)}, beat's 2 s ticks {ticks}"
    )
    assert refused == []
    assert errors == []
    assert restarts == []
    assert sent >= SOAK_SECONDS / 10  # the client did write the whole time
    assert ticks >= SOAK_SECONDS / 2 * 0.8  # beat did enqueue while the worker read
    assert run_local.children().keys() == {"daphne", "worker", "beat"}
