"""What would happen to a request: the risk score, the workflow that governs it, who decides, how fast.

It asks the same functions `request_approval` does (hitl.risk.assess, hitl.rules.choose_workflow,
the level's deciders, the automatic rules) and writes nothing.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.widgets import UnfoldAdminDecimalFieldWidget, UnfoldAdminIntegerFieldWidget, UnfoldAdminSelectWidget

from agents.action_specs import SPECS
from agents.actions import AGENT_ACTIONS, ActionType
from agents.models import AgentType
from hitl import rules
from hitl.models import HITLApproval, HITLDecision
from hitl.risk import RiskAssessment, assess, readable_factors
from hitl.services.levels import deciders
from hitl.services.requests import automatic_outcome
from hitl.workflow_forms import CHANNEL_CHOICES
from tenants.admin_scoping import people_of, person_label
from tenants.models import Tenant
from tenants.roles import Role

CHANNEL_NAMES = dict(CHANNEL_CHOICES)
OUTCOMES = {
    HITLDecision.Decision.APPROVE: gettext_lazy("Approved automatically (the workflow's automatic rule holds)"),
    HITLDecision.Decision.REJECT: gettext_lazy("Rejected automatically (the workflow's automatic rule holds)"),
    None: gettext_lazy("Waits for a human decision"),
}


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person_label(person)


class SampleActionForm(forms.Form):
    """A sample action: what the risk score and the workflow choice read from a proposal."""

    action_type = forms.ChoiceField(
        label=gettext_lazy("Action type"), choices=ActionType.choices, widget=UnfoldAdminSelectWidget()
    )
    agent_type = forms.ChoiceField(
        label=gettext_lazy("Agent"),
        choices=[("", gettext_lazy("The agent that proposes it")), *AgentType.choices],
        required=False,
        widget=UnfoldAdminSelectWidget(),
    )
    estimated_cost = forms.DecimalField(
        label=gettext_lazy("Estimated cost ($ over 30 days)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        widget=UnfoldAdminDecimalFieldWidget(),
        help_text=lazy(
            lambda: " ".join(f"{spec.label}: {spec.cost_rule}." for spec in SPECS.values() if spec.cost_rule), str
        )(),
    )
    estimated_reach = forms.IntegerField(
        label=gettext_lazy("Estimated reach (people)"),
        min_value=0,
        max_value=10**10,
        initial=0,
        widget=UnfoldAdminIntegerFieldWidget(),
    )
    confidence = forms.FloatField(
        label=gettext_lazy("Agent confidence (0-1)"),
        min_value=0,
        max_value=1,
        initial=0.8,
        widget=UnfoldAdminDecimalFieldWidget(),
    )
    requested_by = PersonField(
        queryset=None,
        required=False,
        widget=UnfoldAdminSelectWidget(),
        help_text=gettext_lazy(
            "Their recent rejections and requests count towards the risk; they never approve their own."
        ),
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_by"].queryset = people_of(tenant)
        if tenant is None:  # a platform superuser: whose rules to preview
            self.fields["tenant"] = forms.ModelChoiceField(
                queryset=Tenant.objects.order_by("name"), widget=UnfoldAdminSelectWidget()
            )

    def clean(self):
        data = super().clean()
        action_type, agent_type = data.get("action_type"), data.get("agent_type")
        if action_type and not agent_type:
            data["agent_type"] = next(agent for agent, types in AGENT_ACTIONS.items() if action_type in types)
        elif action_type and action_type not in AGENT_ACTIONS.get(agent_type, ()):
            self.add_error(
                "agent_type",
                _("The %(agent)s agent does not propose “%(action)s”.")
                % {"agent": AgentType(agent_type).label, "action": ActionType(action_type).label},
            )
        person, tenant = data.get("requested_by"), data.get("tenant")
        if person is not None and tenant is not None and person.tenant_id != tenant.pk:
            self.add_error("requested_by", _("Choose a person of that tenant."))
        return data


@dataclass
class LevelPreview:
    number: int
    name: str
    approvers: str  # who the level names, in words
    people: list[str]  # who could decide now, by name
    required: int


@dataclass
class Preview:
    risk: RiskAssessment
    choice: rules.WorkflowChoice
    levels: list[LevelPreview]
    timing: list[tuple[str, str]]
    channels: list[str]
    outcome: str
    action_type: str = ""

    @property
    def workflow_name(self) -> str:
        return str(rules.told_name(self.choice.rules["name"]))

    @property
    def factors(self) -> list[dict]:
        """The scorer's factors, each with a name a person reads."""
        return readable_factors(self.risk.factors, self.action_type)


def preview(tenant, *, action_type, agent_type, estimated_cost: Decimal, estimated_reach, confidence, requested_by):
    risk = assess(
        tenant=tenant,
        action_type=action_type,
        estimated_cost=estimated_cost,
        estimated_reach=estimated_reach,
        confidence=confidence,
        requested_by=requested_by,
    )
    choice = rules.choose_workflow(tenant, action_type=action_type, risk_level=risk.level, cost=estimated_cost)
    sample = HITLApproval(
        tenant=tenant, action_type=action_type, agent_type=agent_type, estimated_cost=estimated_cost,
        estimated_reach=estimated_reach, confidence=confidence, risk_level=risk.level, risk_score=risk.score,
    )  # fmt: skip
    return Preview(
        risk=risk,
        choice=choice,
        levels=_levels(tenant, choice.rules, requested_by),
        timing=timing(choice.rules, critical=rules.is_critical(risk.level)),
        channels=[CHANNEL_NAMES[channel] for channel in choice.rules.get("notification_channels") or []],
        outcome=OUTCOMES[automatic_outcome(sample, choice.rules)],
        action_type=action_type,
    )


def _levels(tenant, settings: dict, requested_by) -> list[LevelPreview]:
    levels = []
    for number, level in enumerate(rules.parse_levels(settings["approval_levels"]), start=1):
        people = deciders(tenant, level, requested_by_id=requested_by.pk if requested_by else None)
        names = sorted(person.get_full_name() for person in people)
        required = max(len(names), 1) if settings.get("unanimous_required") else level.required_approvals
        levels.append(LevelPreview(number, str(rules.told_name(level.name)), approvers_text(level), names, required))
    return levels


def summary(settings: dict) -> dict:
    """A workflow's rules in words, without a request: its name, levels, deadlines and channels."""
    levels = rules.parse_levels(settings["approval_levels"])
    return {
        "name": str(rules.told_name(settings["name"])),
        "levels": [
            (str(rules.told_name(level.name)), approvers_text(level), level.required_approvals) for level in levels
        ],
        "timing": timing(settings),
        "channels": [CHANNEL_NAMES[channel] for channel in settings.get("notification_channels") or []],
    }


def approvers_text(level: rules.Level) -> str:
    """Who a level names, in words (people named by id are counted: their names are in the preview's list)."""
    parts = []
    if level.roles:
        roles = _(" or ").join(str(Role(role).label) for role in level.roles)
        parts.append(_("anyone with the role %(roles)s") % {"roles": roles})
    if level.groups:
        parts.append(_("members of %(groups)s") % {"groups": ", ".join(level.groups)})
    if level.users:
        count = len(level.users)
        parts.append(ngettext("%(count)s named person", "%(count)s named people", count) % {"count": count})
    return "; ".join(parts)


def timing(settings: dict, *, critical: bool = False) -> list[tuple[str, str]]:
    """The deadlines a request gets from these rules, in words (as hitl.services.timing sets them)."""
    auto_approve = None if critical else settings.get("auto_approve_hours")
    rows = [(_("Decision due (SLA)"), _("within %(hours)s h") % {"hours": settings["sla_hours"]})]
    if settings.get("reminder_frequency_hours") and settings.get("max_reminders"):
        every, most = settings["reminder_frequency_hours"], settings["max_reminders"]
        rows.append((_("Reminders"), _("every %(every)s h, at most %(most)s") % {"every": every, "most": most}))
    if settings.get("escalation_hours"):
        rows.append((_("Escalation"), _("after %(hours)s h") % {"hours": settings["escalation_hours"]}))
    if auto_approve:
        rows.append((_("Without a decision"), _("approved automatically after %(hours)s h") % {"hours": auto_approve}))
    else:
        rows.append((_("Without a decision"), _("expires after %(hours)s h") % {"hours": settings["expire_hours"]}))
        if critical and settings.get("auto_approve_hours"):
            rows.append((_("Automatic approval"), _("never for critical risk")))
    return rows
