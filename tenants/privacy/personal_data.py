"""Where each app keeps a person's data, for subject access (export) and erasure.

Each app that holds personal data registers a holder when it is ready (as channels register their
senders with conversations.delivery), so this lowest app can run a request across all of them
without importing any. A holder's `export(user)` returns JSON-ready data with values decrypted;
its `erase(user, now)` removes what it holds of the person and returns how many rows it changed.
Both must be idempotent: an erasure that crashed is run again from the start.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    name: str  # the export's key
    label: str  # what a person reads (lazy, in their language): "Approval requests", not approval_requests
    export: Callable
    erase: Callable
    order: int = 50  # erased in this order, lowest first; the person's own profile goes last


_HOLDERS: dict[str, Holder] = {}


def register(name: str, *, label: str, export: Callable, erase: Callable, order: int = 50) -> None:
    _HOLDERS[name] = Holder(name, label, export, erase, order)


def holders() -> list[Holder]:
    return sorted(_HOLDERS.values(), key=lambda holder: (holder.order, holder.name))
