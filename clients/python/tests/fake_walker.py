"""Walker's answers, as a fake Walker on 127.0.0.1 gives them to the clients' unit tests."""

from walker_approvals import Retry

FAST = Retry(attempts=4, backoff=0.01, max_delay=2.0)


def filed(status="pending", decision=None, **changes) -> dict:
    """A request as Walker answers it."""
    return {
        "id": "5f2c9a8e-0000-4000-8000-000000000001",
        "status": status,
        "action": "update_budget",
        "args_sha256": "a" * 64,
        "risk": {"score": 47.3, "level": "medium", "factors": []},
        "decision": decision,
        "result": None,
        **changes,
    }


def decided(type_="reject", args=None, note="Over the quarter's budget") -> dict:
    return {
        "type": type_,
        "args": args or {"campaign": "Summer Sale", "amount": "700.00"},
        "args_sha256": "b" * 64,
        "note": note,
        "decided_by": "Dana Reyes",
        "decided_at": "2026-11-26T10:00:00Z",
    }
