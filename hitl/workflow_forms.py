"""The admin's workflow form: levels and automatic rules as formsets instead of JSON text.

The formsets compose the same JSON the API takes and the engine reads (see HITLWorkflow), and the whole
workflow is checked by `hitl.rules.workflow_errors`, the API serializer's validator; the levels' fields take
what is posted and leave the judgement to `hitl.rules.level_errors`, so both refuse in the same words. Rows are
added, removed and reordered in the page (static/admin/walker-formset-rows.js) and saved at once.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelect2MultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from agents.actions import ActionType
from hitl import rules
from hitl.models import HITLWorkflow, RiskLevel
from tenants.models import User
from tenants.roles import STAFF_ROLES, Role
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
    """The active people of the tenant (of any tenant for a superuser adding a workflow)."""
    people = User.objects.filter(is_active=True).select_related("tenant").order_by("first_name", "last_name", "pk")
    return people.filter(tenant=tenant) if tenant is not None else people.exclude(tenant=None)


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


def person_label(person) -> str:
    name = person.get_full_name()
    return name if name == person.email else f"{name} ({person.email})"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People named as the console names them (person_label)."""

    def label_from_instance(self, person):
        return person_label(person)


# Only roles that can open the console decide; the others are refused by hitl.rules.level_errors.
CONSOLE_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class NamesField(forms.MultipleChoiceField):
    """Names the widget offers, any of which the form takes: which may be saved is `hitl.rules.level_errors`'
    decision, so the form refuses what the API refuses, in the same words."""

    def valid_value(self, value):
        return True


class PeopleSearchWidget(UnfoldAdminSelect2MultipleWidget):
    """People picked by searching (HITLWorkflowAdmin.people_view): only the chosen ones are in the page."""

    def __init__(self, attrs=None):
        super().__init__({"data-ajax--delay": 250, "data-ajax--cache": "true", **(attrs or {})})


class LevelForm(forms.Form):
    """One approval level: who may decide, and how many of them must approve."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("e.g. Marketing lead")}),
    )
    roles = NamesField(
        label=_("Roles"),
        choices=CONSOLE_ROLE_CHOICES,
        required=False,
        widget=_checkboxes(),
        help_text=_("Anyone of the tenant with these roles. Only roles that can open the console are offered."),
    )
    users = NamesField(
        label=_("People"),
        required=False,
        widget=PeopleSearchWidget(),
        help_text=_("And these people: type a name, or a whole email address, to search the tenant's console users."),
    )
    groups = forms.MultipleChoiceField(
        label=_("Groups"), required=False, widget=_checkboxes(), help_text=_("And members of these groups.")
    )
    required_approvals = forms.IntegerField(
        label=_("Required approvals"),
        initial=1,
        widget=UnfoldAdminIntegerFieldWidget(attrs={"min": 1, "max": rules.MAX_REQUIRED_APPROVALS}),
    )

    def __init__(self, *args, people, groups, search_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].widget.attrs["data-ajax--url"] = search_url
        self.fields["users"].widget.choices = self._chosen(people)
        gone = self.initial.get("gone")
        if gone:  # named before, no longer console people of the tenant: saving drops them, so say so
            self.fields["users"].help_text = format_lazy(
                "{} {}",
                self.fields["users"].help_text,
                _("No longer people of the tenant, left out when saved: {people}."),
            ).format(people=", ".join(gone))
        dropped = [str(Role(role).label) for role in self.initial.get("roles") or [] if role not in STAFF_ROLES]
        if dropped:
            self.fields["roles"].help_text = format_lazy(
                "{} {}",
                self.fields["roles"].help_text,
                _("{roles} cannot open the console: left out when saved.").format(roles=", ".join(dropped)),
            )
        self.fields["groups"].choices = [(name, name) for name in groups]
        if not groups:
            del self.fields["groups"]

    def _chosen(self, people) -> list[tuple[str, str]]:
        """The people this row names, as options: found among `people` by id, else shown by what was sent."""
        chosen = self.data.getlist(self.add_prefix("users")) if self.is_bound else self.initial.get("users") or []
        ids = rules.valid_uuids([value for value in chosen if isinstance(value, str)])
        found = {str(person.pk): person_label(person) for person in people.filter(pk__in=ids)} if ids else {}
        return [(value, found.get(value, value)) for value in chosen]

    def level(self) -> dict:
        """The level as stored: only the approver kinds that name someone."""
        data = self.cleaned_data
        approvers = {"roles": list(data["roles"]), "groups": list(data.get("groups") or []),
                     "users": list(data["users"])}  # fmt: skip
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
        "users": [str(person.pk) for person in found],
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


class RowsFormSet(forms.BaseFormSet):
    """Rows added, removed and reordered in the page (static/admin/walker-formset-rows.js), saved at once; the
    order, where kept, is a hidden field the script numbers."""

    ordering_widget = forms.HiddenInput


LevelFormSet = forms.formset_factory(
    LevelForm, formset=RowsFormSet, extra=1, can_delete=True, can_order=True, max_num=rules.MAX_LEVELS,
    absolute_max=50,
)  # fmt: skip
ConditionFormSet = forms.formset_factory(
    ConditionForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=rules.MAX_CONDITIONS, absolute_max=50
)

# The JSON settings edited through a formset: name -> (formset prefix, heading, what it means, a row's title)
SECTIONS = {
    "approval_levels": (
        "levels",
        _("Approval levels"),
        _("Levels are decided in order: a request goes to the next level once the one before approves. Name "
          "approvers by role, by person, or both. Add, remove and reorder levels here, then save once."),
        _("Level %(number)s"),
    ),
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
        approvers = approvers_of(tenant)
        if "slack_responders" in self.fields:  # the tenant's deciders only, named as the levels name them
            self.fields["slack_responders"] = PersonChoiceField(
                queryset=approvers,
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
                initial=[level_initial(level, approvers) for level in levels if isinstance(level, dict)],
                form_kwargs={"people": approvers, "groups": sorted(group_names), "search_url": search_url(tenant)},
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
        """The kept forms of a section's formset, in the order given: stored rows not deleted, and new rows
        filled in (a number the script gave a row's order is not filling it in)."""
        formset = self.formsets[name]
        if not formset.is_valid():
            raise forms.ValidationError(_("Correct the rows marked below."))
        kept = formset.initial_form_count()  # rows that were stored count even unchanged; empty new rows do not
        rows = [
            form
            for number, form in enumerate(formset.forms)
            if (number < kept or set(form.changed_data) - {ORDERING_FIELD_NAME, DELETION_FIELD_NAME})
            and not form.cleaned_data.get(DELETION_FIELD_NAME)
        ]
        if not formset.can_order:
            return rows
        unordered = len(formset.forms) + 1  # a row without a number (no script) stays where it was, after the others
        return sorted(rows, key=lambda form: form.cleaned_data.get(ORDERING_FIELD_NAME) or unordered)

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
