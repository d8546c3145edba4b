"""The admin's workflow form: levels and automatic rules as formsets instead of JSON text.

The formsets compose the same JSON the API takes and the engine reads (see HITLWorkflow), and the whole
workflow is checked by `hitl.rules.workflow_errors`, the API serializer's validator.
"""

from decimal import Decimal, InvalidOperation
from uuid import UUID

from django import forms
from django.contrib.auth.models import Group
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from agents.actions import ActionType
from hitl import rules
from hitl.models import HITLWorkflow, RiskLevel
from tenants.models import User
from tenants.roles import Role
from tenants.services import ROLE_GROUP_PREFIX

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


def people_of(tenant):
    """Who may be named as an approver: the active people of the tenant (of any tenant for a superuser adding one)."""
    people = User.objects.filter(is_active=True).select_related("tenant").order_by("first_name", "last_name", "pk")
    return people.filter(tenant=tenant) if tenant is not None else people.exclude(tenant=None)


def person_label(person) -> str:
    name = person.get_full_name()
    return name if name == person.email else f"{name} ({person.email})"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return person_label(person)


class LevelForm(forms.Form):
    """One approval level: who may decide, and how many of them must approve."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("e.g. Marketing lead")}),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=_checkboxes(),
        help_text=_("Anyone of the tenant with these roles."),
    )
    users = PersonChoiceField(
        label=_("People"),
        queryset=User.objects.none(),
        required=False,
        widget=UnfoldAdminSelectMultipleWidget(),
        help_text=_("And these people by name."),
    )
    groups = forms.MultipleChoiceField(
        label=_("Groups"), required=False, widget=_checkboxes(), help_text=_("And members of these groups.")
    )
    required_approvals = forms.IntegerField(
        label=_("Required approvals"),
        min_value=1,
        max_value=rules.MAX_REQUIRED_APPROVALS,
        initial=1,
        widget=UnfoldAdminIntegerFieldWidget(),
    )

    def __init__(self, *args, people, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = people
        gone = self.initial.get("gone")
        if gone:  # named before, no longer active people of the tenant: saving drops them, so say so
            left_out = ", ".join(gone)
            self.fields["users"].help_text = format_lazy(
                "{} {}",
                self.fields["users"].help_text,
                _("No longer people of the tenant, left out when saved: {people}."),
            ).format(people=left_out)
        self.fields["groups"].choices = [(name, name) for name in groups]
        if not groups:
            del self.fields["groups"]

    def level(self) -> dict:
        """The level as stored: only the approver kinds that name someone."""
        data = self.cleaned_data
        approvers = {"roles": list(data["roles"]), "groups": list(data.get("groups") or []),
                     "users": [str(person.pk) for person in data["users"]]}  # fmt: skip
        level = {"approvers": {kind: names for kind, names in approvers.items() if names}}
        if data["name"]:
            level["name"] = data["name"]
        level["required_approvals"] = data["required_approvals"]
        return level


def level_initial(level: dict, people) -> dict:
    """A stored level as the form's initial values; users named by id or email are found among `people`."""
    approvers = level.get("approvers") or {}
    named = [name for name in approvers.get("users") or [] if isinstance(name, str)]
    keys = {name: _person_key(name) for name in named}
    ids = [key for key in keys.values() if key and "@" not in key]
    emails = [key for key in keys.values() if key and "@" in key]
    found = list(people.filter(pk__in=ids)) + (list(people.filter(email__in=emails)) if emails else [])
    known = {str(person.pk) for person in found} | {person.email.lower() for person in found}
    return {
        "name": level.get("name") or "",
        "roles": approvers.get("roles") or [],
        "groups": approvers.get("groups") or [],
        "users": found,
        "gone": [name for name, key in keys.items() if key not in known],
        "required_approvals": level.get("required_approvals", 1),
    }


def _person_key(name: str) -> str | None:
    """How a level names a person, made comparable: an email in lower case, an id in canonical form."""
    if "@" in name:
        return name.lower()
    try:
        return str(UUID(name))
    except ValueError:
        return None


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


LevelFormSet = forms.formset_factory(LevelForm, extra=1, can_delete=True, max_num=rules.MAX_LEVELS, absolute_max=50)
ConditionFormSet = forms.formset_factory(
    ConditionForm, extra=1, can_delete=True, max_num=rules.MAX_CONDITIONS, absolute_max=50
)

# The JSON settings edited through a formset: name -> (formset prefix, heading)
SECTIONS = {
    "approval_levels": ("levels", _("Approval levels")),
    "auto_approve_conditions": ("approve_when", _("Approve automatically when all of these hold")),
    "auto_reject_conditions": ("reject_when", _("Reject automatically when all of these hold")),
}


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
        help_text=_("None ticked: any action type."),
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("Risk levels"),
        choices=RiskLevel.choices,
        required=False,
        widget=_checkboxes(),
        help_text=_("None ticked: any risk level."),
    )
    notification_channels = forms.MultipleChoiceField(
        label=_("Notification channels"),
        choices=CHANNEL_CHOICES,
        required=False,
        widget=_checkboxes(),
        help_text=_("How approvers hear of a request."),
    )
    approval_levels = SectionField()
    auto_approve_conditions = SectionField()
    auto_reject_conditions = SectionField()

    class Meta:
        model = HITLWorkflow
        # The levels and automatic rules are not among them: their formsets set them (_post_clean).
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
        people = people_of(tenant)
        if "slack_responders" in self.fields:  # the tenant's people only, named as the levels name them
            self.fields["slack_responders"] = PersonChoiceField(
                queryset=people,
                required=False,
                label=_("Slack responders"),
                help_text=self.fields["slack_responders"].help_text,
                widget=self.fields["slack_responders"].widget,
            )
        group_names = set(
            Group.objects.filter(user__in=people)
            .exclude(name__startswith=ROLE_GROUP_PREFIX)
            .values_list("name", flat=True)
        )
        levels = self.instance.approval_levels if isinstance(self.instance.approval_levels, list) else []
        group_names |= {
            g for level in levels if isinstance(level, dict) for g in (level.get("approvers") or {}).get("groups") or []
        }
        data = self.data if self.is_bound else None
        self.formsets = {
            "approval_levels": LevelFormSet(
                data,
                prefix="levels",
                initial=[level_initial(level, people) for level in levels if isinstance(level, dict)],
                form_kwargs={"people": people, "groups": sorted(group_names)},
            ),
            **{
                name: ConditionFormSet(
                    data,
                    prefix=SECTIONS[name][0],
                    initial=[condition_initial(c) for c in getattr(self.instance, name) or [] if isinstance(c, dict)],
                )
                for name in ("auto_approve_conditions", "auto_reject_conditions")
            },
        }
        if self.read_only:
            for formset in self.formsets.values():
                formset.extra = 0
                for form in formset.forms:
                    for field in form.fields.values():
                        field.disabled = True

    def sections(self):
        """(heading, formset, errors) for the template, in order."""
        return [(SECTIONS[name][1], formset, self[name].errors) for name, formset in self.formsets.items()]

    def _rows(self, name):
        """The kept forms of a section's formset: stored rows not deleted, and new rows filled in."""
        formset = self.formsets[name]
        if not formset.is_valid():
            raise forms.ValidationError(_("Correct the rows marked below."))
        kept = formset.initial_form_count()  # rows that were stored count even unchanged; empty new rows do not
        return [
            form
            for number, form in enumerate(formset.forms)
            if (number < kept or form.has_changed()) and not form.cleaned_data.get("DELETE")
        ]

    def clean_approval_levels(self):
        return [form.level() for form in self._rows("approval_levels")]

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
