"""Target keyword actions: add one, drop one (the SEO agent's)."""

from agents.action_specs.base import MAX_NAME_LENGTH, TEXT, ActionSpec, Target, insert, required_text, state, text
from agents.executors.base import ExecutionError, ExecutionResult
from agents.models import AgentType, TargetKeyword

KEYWORD = Target("keyword", ("keyword",))  # matched ignoring case, as the tenant's keywords are


def _targets(tenant, keyword):
    return TargetKeyword.objects.for_tenant(tenant).filter(keyword__iexact=keyword)


def check_add(tenant, data):
    keyword = text(data, "keyword")
    if not keyword or len(keyword) > MAX_NAME_LENGTH:
        return f"a keyword must be 1 to {MAX_NAME_LENGTH} characters"
    if _targets(tenant, keyword).exists():
        return f"“{keyword}” is already a target keyword"
    return None


def check_remove(tenant, data):
    keyword = text(data, "keyword")
    if not _targets(tenant, keyword).exists():
        return f"“{keyword}” is not one of your target keywords"
    return None


def add(tenant, data) -> ExecutionResult:
    keyword = required_text(data, "keyword")
    taken = f"“{keyword}” is already a target keyword"
    if _targets(tenant, keyword).exists():
        raise ExecutionError(taken)
    created = insert(TargetKeyword, taken, tenant=tenant, keyword=keyword)
    return ExecutionResult({}, state(created, "keyword"), f"Added target keyword “{keyword}”")


def remove(tenant, data) -> ExecutionResult:
    keyword = required_text(data, "keyword")
    target = _targets(tenant, keyword).select_for_update().first()
    if target is None:
        raise ExecutionError(f"“{keyword}” is not one of this account's target keywords")
    before = state(target, "keyword")
    target.delete()
    return ExecutionResult(before, {}, f"Dropped target keyword “{target.keyword}”")


def _changes(after: str):
    def changes(tenant, data):
        keyword = data.get("keyword", "")
        now = "target" if _targets(tenant, keyword).exists() else "not a target"
        return [(f"Keyword “{keyword}”", now, after)]

    return changes


SPECS = [
    ActionSpec(
        action_type="add_target_keyword",
        label="Add a target keyword",
        agents=frozenset({AgentType.SEO}),
        properties={"keyword": TEXT},
        required=("keyword",),
        check=check_add,
        execute=add,
        describe=lambda data: f"Add target keyword '{data.get('keyword', '')}'",
        changes=_changes("target"),
        base_risk=3,
        target=KEYWORD,
    ),
    ActionSpec(
        action_type="remove_target_keyword",
        label="Drop a target keyword",
        agents=frozenset({AgentType.SEO}),
        properties={"keyword": TEXT},
        required=("keyword",),
        check=check_remove,
        execute=remove,
        describe=lambda data: f"Drop target keyword '{data.get('keyword', '')}'",
        changes=_changes("not a target"),
        base_risk=5,
        target=KEYWORD,
    ),
]
