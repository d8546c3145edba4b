"""Telling a repeated proposal from a new one, by what it does rather than how it was spelled.

Two proposals are *identical* when they ask the same thing of the same row: same action type, target
and effect as the action type's spec compares them (`ActionSpec.comparable`: money in cents, names shown
to people and the situation it was proposed in left out), so daily_budget 700 and "700.00" are one
proposal. The second is not filed; the requester hears the first still waits. They *conflict* when they
touch the same target (`ActionSpec.target_key`: a campaign, a piece of content, a keyword, an audience
name) in different ways, e.g. two budgets for one campaign: the second supersedes the first
(hitl.services.conflicts). Unique indexes over pending approvals' `proposal_key` and `target_key` hold both.
"""

import hashlib
import json

from agents import action_specs


def target_key(action_type: str, action_data: dict) -> str:
    """What the action changes, e.g. "campaign:5b0c…"; "" when it names nothing we can compare."""
    spec = action_specs.spec_for(action_type)
    return spec.target_key(action_data) if spec is not None and isinstance(action_data, dict) else ""


def proposal_key(action_type: str, action_data: dict) -> str:
    """A digest of what is asked: equal for proposals that would do the same thing."""
    spec = action_specs.spec_for(action_type)
    what = spec.comparable(action_data) if spec is not None and isinstance(action_data, dict) else action_data
    canonical = json.dumps([action_type, what], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
