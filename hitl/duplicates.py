"""Telling a repeated proposal from a new one.

Two proposals are *identical* when they ask the same thing of the same row (same action type and the
same action data): the second is not filed, the requester hears the first still waits. They *conflict*
when they touch the same target (a campaign, a piece of content, a keyword, an audience name) in
different ways, e.g. two budgets for one campaign: the second is filed and linked to the first, so the
approver sees both. Identity is enforced by a unique index over pending approvals' `proposal_key`.
"""

import hashlib
import json

TARGET_FIELDS = (  # the field of action_data naming what an action changes, per family of actions
    ("campaign", "campaign_id"),
    ("content", "content_id"),
    ("keyword", "keyword"),
    ("audience", "name"),
)


def target_key(action_data: dict) -> str:
    """What the action changes, e.g. "campaign:5b0c…"; "" when it names nothing we can compare."""
    for family, field in TARGET_FIELDS:
        value = action_data.get(field)
        if isinstance(value, str) and value.strip():
            return f"{family}:{value.strip().lower()}"[:200]
    return ""


def proposal_key(action_type: str, action_data: dict) -> str:
    """A digest of exactly what is asked: equal for identical proposals."""
    canonical = json.dumps([action_type, action_data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
