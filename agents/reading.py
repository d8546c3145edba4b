"""One message's reading of the tenant's data: what is read once while answering it is kept here, for everything
inside (routing, the engine, the checks of what the engine proposed).

Not a cache: it lives only inside `with one_reading():` (one answer) and is gone with it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

CAMPAIGNS = "campaigns"  # (CAMPAIGNS, tenant id): the tenant's campaign rows by id, as routing read them

_READING: ContextVar[dict | None] = ContextVar("walker_message_reading", default=None)


@contextmanager
def one_reading():
    """`with one_reading():` what is read through `kept` is read once for everything inside (one message's answer)."""
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def kept(key):
    """What this reading holds under `key`, or None (no reading, or not read yet)."""
    memo = _READING.get()
    return memo.get(key) if memo is not None else None


def keep(key, value):
    """Hold `value` under `key` for the rest of this reading (nothing outside one)."""
    memo = _READING.get()
    if memo is not None:
        memo[key] = value
    return value
