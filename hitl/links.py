"""Links in approval emails: the approval's page in the admin, and signed one-click decision links.

A link is the approver's credential for one decision: it names the approval, the
approver and the decision, expires, and carries a nonce so every link is unique
and can be marked used (an OneClickToken row) exactly once.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "hitl.one-click"
DECISIONS = ("approve", "reject")


class ForgedLink(Exception):
    """Not a link we made: bad signature or unexpected contents."""


class ExpiredLink(Exception):
    """A genuine link, past its lifetime."""


@dataclass(frozen=True)
class LinkClaim:
    approval_id: str
    approver_id: str
    decision: str
    nonce: str


def lifetime_hours() -> int:
    return settings.ONE_CLICK_LINK_HOURS


def make_token(approval, approver, decision: str) -> str:
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}.")
    claim = [str(approval.pk), str(approver.pk), decision, secrets.token_urlsafe(16)]
    return signing.dumps(claim, salt=SALT, compress=True)


def approval_url(approval) -> str:
    return f"{settings.PUBLIC_BASE_URL}/admin/hitl/hitlapproval/{approval.pk}/change/"


def make_link(approval, approver, decision: str) -> str:
    path = reverse("hitl:one-click", kwargs={"token": make_token(approval, approver, decision)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def read_token(token: str) -> LinkClaim:
    try:
        claim = signing.loads(token, salt=SALT, max_age=timedelta(hours=lifetime_hours()))
    except signing.SignatureExpired as exc:  # a subclass of BadSignature: caught first
        raise ExpiredLink("This link has expired.") from exc
    except signing.BadSignature as exc:
        raise ForgedLink("This link is not valid.") from exc
    if not (isinstance(claim, list) and len(claim) == 4 and claim[2] in DECISIONS):
        raise ForgedLink("This link is not valid.")
    return LinkClaim(*claim)
