"""Target keyword actions: add one, drop one (the SEO agent's)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from agents.action_specs.base import MAX_NAME_LENGTH, TEXT, ActionSpec, Target, insert, required_text, state, text
from agents.executors.base import ExecutionError, ExecutionResult
from agents.models import AgentType, TargetKeyword
from core.sentence import Sentence

KEYWORD = Target("keyword", ("keyword",))  # matched ignoring case, as the tenant's keywords are
TARGET = pgettext_lazy("a keyword's state", "target")
NOT_A_TARGET = pgettext_lazy("a keyword's state", "not a target")


def _targets(tenant, keyword):
    return TargetKeyword.objects.for_tenant(tenant).filter(keyword__iexact=keyword)


def check_add(tenant, data):
    keyword = text(data, "keyword")
    if not keyword or len(keyword) > MAX_NAME_LENGTH:
        return _("a keyword must be 1 to %(max)s characters") % {"max": MAX_NAME_LENGTH}
    if _targets(tenant, keyword).exists():
        return _("“%(keyword)s” is already a target keyword") % {"keyword": keyword}
    return None


def check_remove(tenant, data):
    keyword = text(data, "keyword")
    if not _targets(tenant, keyword).exists():
        return _("“%(keyword)s” is not one of your target keywords") % {"keyword": keyword}
    return None


def add(tenant, data) -> ExecutionResult:
    keyword = required_text(data, "keyword")
    taken = Sentence(gettext_noop("“%(keyword)s” is already a target keyword"), keyword=keyword)
    if _targets(tenant, keyword).exists():
        raise ExecutionError(taken)
    created = insert(TargetKeyword, taken, tenant=tenant, keyword=keyword)
    detail = Sentence(gettext_noop("Added target keyword “%(keyword)s”"), keyword=keyword)
    return ExecutionResult({}, state(created, "keyword"), detail)


def remove(tenant, data) -> ExecutionResult:
    keyword = required_text(data, "keyword")
    target = _targets(tenant, keyword).select_for_update().first()
    if target is None:
        missing = gettext_noop("“%(keyword)s” is not one of this account's target keywords")
        raise ExecutionError(Sentence(missing, keyword=keyword))
    before = state(target, "keyword")
    target.delete()
    return ExecutionResult(
        before, {}, Sentence(gettext_noop("Dropped target keyword “%(keyword)s”"), keyword=target.keyword)
    )


def _changes(after):
    def changes(tenant, data):
        keyword = data.get("keyword", "")
        now = TARGET if _targets(tenant, keyword).exists() else NOT_A_TARGET
        return [(_("Keyword “%(keyword)s”") % {"keyword": keyword}, str(now), str(after))]

    return changes


SPECS = [
    ActionSpec(
        action_type="add_target_keyword",
        label=gettext_lazy("Add a target keyword"),
        agents=frozenset({AgentType.SEO}),
        properties={"keyword": TEXT},
        required=("keyword",),
        check=check_add,
        execute=add,
        describe=lambda data: _("Add target keyword '%(keyword)s'") % {"keyword": data.get("keyword", "")},
        changes=_changes(TARGET),
        base_risk=3,
        target=KEYWORD,
    ),
    ActionSpec(
        action_type="remove_target_keyword",
        label=gettext_lazy("Drop a target keyword"),
        agents=frozenset({AgentType.SEO}),
        properties={"keyword": TEXT},
        required=("keyword",),
        check=check_remove,
        execute=remove,
        describe=lambda data: _("Drop target keyword '%(keyword)s'") % {"keyword": data.get("keyword", "")},
        changes=_changes(NOT_A_TARGET),
        base_risk=5,
        target=KEYWORD,
    ),
]
