"""What an executor is given, what it returns, and how it fails."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.sentence import Sentence

if TYPE_CHECKING:
    from tenants.models import Tenant


@dataclass(frozen=True)
class ExecutionRequest:
    """An approved action, ready to be carried out once."""

    tenant: "Tenant"
    approval_id: str
    reference: str
    action_type: str
    action_data: dict
    approved_at: datetime  # aware
    # The attempt's lease, for an executor that can read back what it did (`ReadsBack`): it starts no write after
    # this moment (aware), since past it hitl's sweep reads the receiver instead of waiting for the answer.
    deadline: datetime | None = None


@dataclass
class ExecutionResult:
    before: dict  # JSON-safe
    after: dict  # JSON-safe
    # One line for people, e.g. "Summer Sale daily budget $500.00 -> $700.00": Walker's own words as a Sentence (its
    # figures kept, so that each reader is told it in their language), a receiver's or an agent's as text.
    detail: str | Sentence
    outcome: dict = field(default_factory=dict)  # JSON-safe: what the receiver reported (an ad platform's units)


class ExecutionError(Exception):
    """The action cannot be carried out; retrying will not help. Its message is Walker's own words as a Sentence
    (told in each reader's language) or text (a receiver's answer): `said`."""

    @property
    def said(self) -> str | Sentence:
        message = self.args[0] if len(self.args) == 1 else None
        return message if isinstance(message, Sentence) else str(self)


class RetryableExecutionError(ExecutionError):
    """A transient failure; retrying later (with backoff) may succeed. `retry_after`: the delay in seconds the
    receiver asked for (a platform's quota), which replaces the backoff for the next attempt."""

    def __init__(self, message="", *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Executor(Protocol):
    destination: str  # where a remote executor sends the action, for the history ("Google Ads")

    def execute(self, request: ExecutionRequest) -> ExecutionResult: ...


class Verdict(models.TextChoices):
    """What a receiver holds of an action whose attempt went silent, read back."""

    APPLIED = "applied", _("Applied")
    NOT_APPLIED = "not_applied", _("Not applied")  # it holds what the approver saw: safe to run again
    DRIFTED = "drifted", _("Drifted")  # it holds something else: changed elsewhere meanwhile


@dataclass(frozen=True)
class ReadBack:
    verdict: Verdict
    detail: str | Sentence  # one line for people, naming what the receiver holds (Walker's own words: a Sentence)
    result: ExecutionResult | None = None  # applied: what the attempt would have answered


class ReadsBack(Executor, Protocol):
    """A remote executor that can read back whether an action landed (an ad platform's campaign). Its attempts
    have a lease (`ExecutionRequest.deadline`); one silent past it is read back by hitl, not left to a person.
    `read_back` raises RetryableExecutionError (or ExecutionError) when the receiver cannot be read now."""

    def read_back(self, request: ExecutionRequest) -> ReadBack: ...


def reads_back(executor) -> bool:
    return callable(getattr(executor, "read_back", None))
