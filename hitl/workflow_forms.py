"""The admin's workflow form: the automatic rules as formsets instead of JSON text (the levels are rows, edited
in an inline: hitl.admin.levels).

The formsets compose the same JSON the API takes and the engine reads (see HITLWorkflow), and the whole
workflow is checked by `hitl.rules.workflow_errors`, the API serializer's validator, so both refuse in the same
words. Conditions are added and removed in the page (static/admin/walker-formset-rows.js) and saved at once.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from agents.actions import ActionType
from hitl import rules
from hitl.models import HITLWorkflow, RiskLevel
from tenants.admin_scoping import PersonChoiceField, people_of
from tenants.roles import STAFF_ROLES

CHANNEL_CHOICES = [("email", _("Email")), ("in_app", _("In the console")), ("slack", "Slack"), ("whatsapp", "WhatsApp")]
OPERATOR_CHOICES = [
    ("eq", _("is")), ("ne", _("is not")), ("lt", _("is below")), ("lte", _("is at most")), ("gt", _("is above")),
    ("gte", _("is at least")), ("in", _("is one of")), ("not_in", _("is none of")),
]  # fmt: skip
CONDITION_FIELD_CHOICES = [
    ("risk_level", _("Risk level")), ("risk_score", _("Risk score (0-100)")),
    ("estimated_cost", _("Estimated cost ($)")),
    ("estimated_reach", _("Estimated reach (people)")), ("action_type", _("Action type")), ("agent_type", _("Agent")),
    ("confidence", _("Agent confidence (0-1)")),
]  # fmt: skip
assert {value for value, label in CHANNEL_CHOICES} == set(rules.NOTIFICATION_CHANNELS)
assert {value for value, label in CONDITION_FIELD_CHOICES} == set(rules.CONDITION_FIELDS)


def _checkboxes():
    return UnfoldAdminCheckboxSelectMultipleWidget()


def approvers_of(tenant):
    """Who may be named as an approver: those of `people_of` whose role can open the console to decide."""
    return people_of(tenant).filter(role__in=STAFF_ROLES)


def find_people(people, term: str):
    """`people` whose names hold every word of `term`, or the one whose whole email address it is (addresses are
    encrypted: no partial matches). The level's people search."""
    term = term.strip()
    if "@" in term:
        return people.filter(email=term.lower())
    for word in term.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return people


class ConditionForm(forms.Form):
    """One clause of an automatic rule: field, comparison, value."""

    # An empty first choice, so the form's empty row is left out unless someone fills it in.
    field = forms.ChoiceField(
        label=_("Field"), choices=[("", "—"), *CONDITION_FIELD_CHOICES], widget=UnfoldAdminSelectWidget()
    )
    op = forms.ChoiceField(
        choices=[("", "—"), *OPERATOR_CHOICES], widget=UnfoldAdminSelectWidget(), label=_("Comparison")
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=500,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("e.g. low, or 500, or set_budget, pause_campaign")}),
        help_text=_("For “is one of”, separate the values with commas."),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        numeric = rules.CONDITION_FIELDS[data["field"]] is float
        items = (
            [item.strip() for item in data["value"].split(",")] if data["op"] in ("in", "not_in") else [data["value"]]
        )
        try:
            values = [_number(item) if numeric else item.strip() for item in items]
        except InvalidOperation:
            self.add_error("value", _("Enter a number (or numbers separated by commas)."))
            return data
        data["clause"] = {
            "field": data["field"],
            "op": data["op"],
            "value": values if data["op"] in ("in", "not_in") else values[0],
        }
        return data


def _number(text: str) -> int | float:
    number = Decimal(text.strip())
    if not number.is_finite():
        raise InvalidOperation(text)
    return int(number) if number == number.to_integral_value() else float(number)


def condition_initial(clause: dict) -> dict:
    value = clause.get("value")
    shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return {"field": clause.get("field"), "op": clause.get("op"), "value": shown}


ConditionFormSet = forms.formset_factory(
    ConditionForm, extra=1, can_delete=True, max_num=rules.MAX_CONDITIONS, absolute_max=50
)

# The JSON settings edited through a formset: name -> (formset prefix, heading, what it means, a row's title)
SECTIONS = {
    "auto_approve_conditions": (
        "approve_when",
        _("Approve automatically when all of these hold"),
        _("No rows: never. A critical-risk request is never approved automatically."),
        _("Condition %(number)s"),
    ),
    "auto_reject_conditions": (
        "reject_when",
        _("Reject automatically when all of these hold"),
        _("No rows: never. A request these all hold for is rejected at once, whatever its risk, before the "
          "approve rule is asked."),
        _("Condition %(number)s"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Section:
    heading: str
    description: str
    row_title: str  # "Level %(number)s"
    formset: forms.BaseFormSet
    errors: list

    def rows(self):
        """Each form with its title ("Level 2")."""
        return [(form, self.row_title % {"number": n}) for n, form in enumerate(self.formset.forms, start=1)]

    def title_pattern(self) -> str:
        """The row title the script numbers, "__number__" standing for the number."""
        return self.row_title % {"number": "__number__"}


def search_url(tenant) -> str:
    """Where a level's people search asks (HITLWorkflowAdmin.people_view), for this tenant's people."""
    url = reverse("admin:hitl_hitlworkflow_people")
    return f"{url}?tenant={tenant.pk}" if tenant is not None else url


class SectionField(forms.Field):
    """A JSON setting whose value comes from its formset (rendered by admin/hitl/workflow_rules.html)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class WorkflowForm(forms.ModelForm):
    """Refuses exactly what the API refuses: both ask `hitl.rules.workflow_errors`."""

    action_types = forms.MultipleChoiceField(
        label=_("Action types"),
        choices=ActionType.choices,
        required=False,
        widget=_checkboxes(),
        help_text=_("Nothing ticked: any action type."),
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("Risk levels"),
        choices=RiskLevel.choices,
        required=False,
        widget=_checkboxes(),
        help_text=_("Nothing ticked: any risk level."),
    )
    notification_channels = forms.MultipleChoiceField(
        label=_("Notification channels"),
        choices=CHANNEL_CHOICES,
        required=False,
        widget=_checkboxes(),
        help_text=_("How approvers hear of a request."),
    )
    auto_approve_conditions = SectionField()
    auto_reject_conditions = SectionField()

    class Meta:
        model = HITLWorkflow
        # The automatic rules are not among them: their formsets set them (_post_clean). The levels are an inline.
        fields = [
            "tenant", "name", "description", "is_active", "is_default",
            "action_types", "risk_levels", "min_cost_threshold", "max_cost_threshold",
            "parallel_approval", "unanimous_required", "notification_channels", "slack_channel", "slack_responders",
            "sla_hours", "escalation_hours", "auto_approve_hours", "expire_hours", "reminder_frequency_hours",
            "max_reminders",
        ]  # fmt: skip
        widgets = {"is_active": UnfoldBooleanWidget, "is_default": UnfoldBooleanWidget}
        labels = {
            "sla_hours": _("Decide within (SLA)"), "escalation_hours": _("Escalate after"),
            "auto_approve_hours": _("Approve automatically after"), "expire_hours": _("Expire after"),
            "reminder_frequency_hours": _("Remind every"), "max_reminders": _("Reminders at most"),
            "min_cost_threshold": _("Cost at least ($)"), "max_cost_threshold": _("Cost at most ($)"),
        }  # fmt: skip

    tenant = None  # the signed-in person's tenant, set by HITLWorkflowAdmin.get_form
    read_only = False  # a reviewer who may only look: the formsets are shown disabled, without empty rows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tenant = self.instance.tenant if self.instance.tenant_id else self.tenant
        approvers = approvers_of(tenant)
        if "slack_responders" in self.fields:  # the tenant's deciders only, named as the levels name them
            self.fields["slack_responders"] = PersonChoiceField(
                queryset=approvers,
                required=False,
                label=_("Slack responders"),
                help_text=self.fields["slack_responders"].help_text,
                widget=self.fields["slack_responders"].widget,
            )
        data = self.data if self.is_bound else None
        self.formsets = {
            name: ConditionFormSet(
                data,
                prefix=SECTIONS[name][0],
                initial=[condition_initial(c) for c in getattr(self.instance, name) or [] if isinstance(c, dict)],
            )
            for name in SECTIONS
        }
        for formset in self.formsets.values():
            formset.extra = 0 if formset.initial or self.read_only else 1  # more rows: "Add", in the page
        if self.read_only:
            for formset in self.formsets.values():
                for form in formset.forms:
                    for field in form.fields.values():
                        field.disabled = True

    @property
    def media(self):
        media = super().media
        for formset in self.formsets.values():
            media += formset.media
        return media + forms.Media(js=["admin/walker-formset-rows.js"])

    def sections(self):
        """What the template shows of each section, in order."""
        return [
            Section(heading, description, row_title, formset, self[name].errors)
            for name, formset in self.formsets.items()
            for _prefix, heading, description, row_title in [SECTIONS[name]]
        ]

    def _rows(self, name):
        """The kept forms of a section's formset, in the page's order: stored rows not deleted, and new rows
        filled in."""
        formset = self.formsets[name]
        if not formset.is_valid():
            raise forms.ValidationError(_("Correct the rows marked below."))
        kept = formset.initial_form_count()  # rows that were stored count even unchanged; empty new rows do not
        return [
            form
            for number, form in enumerate(formset.forms)
            if (number < kept or set(form.changed_data) - {DELETION_FIELD_NAME})
            and not form.cleaned_data.get(DELETION_FIELD_NAME)
        ]

    def clean_auto_approve_conditions(self):
        return [form.cleaned_data["clause"] for form in self._rows("auto_approve_conditions")]

    def clean_auto_reject_conditions(self):
        return [form.cleaned_data["clause"] for form in self._rows("auto_reject_conditions")]

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant") or (self.instance.tenant if self.instance.tenant_id else self.tenant)
        adding = self.instance._state.adding
        for field, error in rules.workflow_errors(
            data, tenant=tenant, instance=None if adding else self.instance
        ).items():
            self.add_error(field if field in self.fields else None, error)
        return data

    def _post_clean(self):
        for name in self.formsets:  # not model-form fields in the admin (not in its fieldsets): set them here
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()
