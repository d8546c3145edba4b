"""Journeys against a real Walker, started by Walker's own test (tests/clients/test_adapters.py), which also plays
the approver: it decides each request by the rule its `context` names (`journey:<rule>:<unique>`):

- accept, edit (amount to 500.00), reject ("Over the quarter's budget"), respond ("Propose 500 instead");
- expire: Walker's SLA sweep runs past the request's expiry; slow-accept: accepted once it is 4 seconds old.

WALKER_URL and WALKER_TOKEN (scope `request`) say where and who; without them these tests are skipped."""

import os
import uuid

import httpx

URL, TOKEN = os.environ.get("WALKER_URL"), os.environ.get("WALKER_TOKEN")

ARGS = {"campaign": "Summer Sale", "amount": "700.00"}
EDITED = {"campaign": "Summer Sale", "amount": "500.00"}
REASON = "Over the quarter's budget"
NOTE = "Propose 500 instead"
EXPIRED = "No decision in time."


def journey(rule: str) -> str:
    """The context that tells Walker's test how to decide, unique to this test."""
    return f"journey:{rule}:{uuid.uuid4()}"


def requests_with(context: str) -> list[dict]:
    """Every request Walker holds with this context (the journeys' proof that nothing was filed twice)."""
    rows, url = [], f"{URL}/api/v1/approval-requests/"
    with httpx.Client(headers={"Authorization": f"Token {TOKEN}"}, timeout=30) as http:
        while url:
            page = http.get(url).raise_for_status().json()
            rows += [row for row in page["results"] if row["context"] == context]
            url = page["next"]
    return rows
