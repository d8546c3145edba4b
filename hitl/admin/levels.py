"""A workflow's approval levels in the console: an inline of WorkflowLevel rows on the workflow's page.

Its form takes what is posted and leaves the judgement to the model's validators and `level_approvers`, as
the API's nested serializer (hitl.levels_api) does, so both refuse the same things in the same words.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelect2MultipleWidget,
)

from hitl.models import HITLWorkflow, WorkflowLevel
from hitl.models.level import (
    MAX_LEVELS,
    MAX_REQUIRED_APPROVALS,
    duplicate_positions_error,
    groups_of,
    level_approvers,
    levels_count_error,
)
from hitl.rules import valid_uuids
from hitl.workflow_forms import approvers_of, search_url
from tenants.admin_scoping import person_label
from tenants.roles import STAFF_ROLES, Role

# Only roles that can open the console decide; a stored other one is named, then left out when saved.
CONSOLE_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class NamesField(forms.MultipleChoiceField):
    """Names the widget offers, any of which the form takes: which may be saved is the model's decision (its
    validators, `level_approvers`), so the console refuses what the API refuses, in the same words."""

    def valid_value(self, value):
        return True


class PeopleSearchWidget(UnfoldAdminSelect2MultipleWidget):
    """People picked by searching (HITLWorkflowAdmin.people_view): only the chosen ones are in the page. Django's
    autocomplete script starts the search on a level added in the page too."""

    def __init__(self, attrs=None):
        super().__init__({"data-ajax--delay": 250, "data-ajax--cache": "true", **(attrs or {})})

    @property
    def media(self):
        """The widget's scripts, then Django's autocomplete: Media merges lists by the order each one gives, so the
        scripts it needs are named before it."""
        needs = ["admin/js/vendor/select2/select2.full.js", "admin/js/jquery.init.js", "unfold/js/select2.init.js"]
        return super().media + forms.Media(js=[*needs, "admin/js/autocomplete.js"])


class LevelForm(forms.ModelForm):
    """One approval level: who may decide, and how many of them must approve."""

    # Plain whole numbers: the model's validators judge them, as in the API.
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        widget=UnfoldAdminIntegerFieldWidget(attrs={"min": 1, "max": MAX_LEVELS}),
        help_text=_("Levels are decided in this order, lowest first; empty: after the others."),
    )
    required_approvals = forms.IntegerField(
        label=_("Required approvals"),
        initial=1,
        widget=UnfoldAdminIntegerFieldWidget(attrs={"min": 1, "max": MAX_REQUIRED_APPROVALS}),
    )
    roles = NamesField(
        label=_("Roles"),
        choices=CONSOLE_ROLE_CHOICES,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget(),
        help_text=_("Anyone of the tenant with these roles. Only roles that can open the console are offered."),
    )
    users = NamesField(
        label=_("People"),
        required=False,
        widget=PeopleSearchWidget(),
        help_text=_("And these people: type a name, or a whole email address, to search the tenant's console users."),
    )
    groups = NamesField(
        label=_("Groups"),
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget(),
        help_text=_("And members of these groups."),
    )

    class Meta:
        model = WorkflowLevel
        fields = ["position", "name", "roles", "users", "groups", "required_approvals"]
        widgets = {"name": forms.TextInput(attrs={"placeholder": _("e.g. Marketing lead")})}

    tenant = None  # the workflow's tenant (the signed-in person's when adding), set by WorkflowLevelInline

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = approvers_of(self.tenant)
        if not self.instance._state.adding:
            self._stored_initial()
        self.fields["users"].widget.attrs["data-ajax--url"] = search_url(self.tenant)
        self.fields["users"].widget.choices = self._chosen(people)
        groups = {group.name for group in groups_of(self.tenant)} | set(self.initial.get("groups") or [])
        self.fields["groups"].choices = [(name, name) for name in sorted(groups)]

    def _stored_initial(self):
        """The stored level as the fields show it, without the people who can no longer decide (named beside the
        row: WorkflowLevelInline.left_out)."""
        self.initial["users"] = [str(person.pk) for person in deciding(self.instance)]
        self.initial["groups"] = [group.name for group in self.instance.groups.all()]

    def _chosen(self, people) -> list[tuple[str, str]]:
        """The people this row names, as options: found among `people` by id, else shown by what was sent."""
        chosen = self.data.getlist(self.add_prefix("users")) if self.is_bound else self.initial.get("users") or []
        found = {str(person.pk): person_label(person) for person in people.filter(pk__in=valid_uuids(chosen))}
        return [(value, found.get(value, value)) for value in chosen]

    def clean(self):
        data = super().clean()
        if "roles" in data and "users" in data:
            workflow = data.get("workflow")
            tenant = workflow.tenant if workflow is not None and workflow.tenant_id else self.tenant
            try:
                data["users"], data["groups"] = level_approvers(
                    tenant, roles=data["roles"], users=data["users"], groups=data["groups"]
                )
            except ValidationError as err:
                self.add_error(None, err)
        return data

    def has_changed(self):
        """A stored level is always written: saving moves the stored positions aside first (LevelFormSet.save)."""
        return not self.instance._state.adding or super().has_changed()

    def validate_unique(self):
        """Positions are unique among the levels posted (LevelFormSet.clean), not against the stored ones, which
        may be swapped in the same save."""


def deciding(level) -> list:
    """The people a stored level names who may still decide: active console users of its workflow's tenant."""
    return [person for person in level.users.all() if may_decide(person, level.workflow.tenant_id)]


def may_decide(person, tenant_id) -> bool:
    return person.is_active and person.tenant_id == tenant_id and person.role in STAFF_ROLES


class LevelFormSet(forms.BaseInlineFormSet):
    """The levels of one workflow, saved at once: from one to MAX_LEVELS, each at its own position."""

    def kept_forms(self):
        """Stored levels not deleted, and new ones filled in."""
        return [
            form
            for number, form in enumerate(self.forms)
            if (number < self.initial_form_count() or form.has_changed()) and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return
        kept = self.kept_forms()
        if problem := levels_count_error(len(kept)):
            raise ValidationError(problem)
        given = [form.cleaned_data["position"] for form in kept if form.cleaned_data.get("position")]
        if problem := duplicate_positions_error(given):
            raise ValidationError(problem)
        following = max(given, default=0)
        for form in kept:  # a level without a position goes after the others, in the page's order
            if not form.cleaned_data.get("position"):
                following += 1
                form.instance.position = form.cleaned_data["position"] = following
        if following > MAX_LEVELS:
            raise ValidationError(
                _("Positions go from 1 to %(most)s: number the levels again."), params={"most": MAX_LEVELS}
            )

    def save(self, commit=True):
        if commit:  # positions may be swapped: the stored levels step aside, then every kept one is written
            self.instance.levels.update(position=F("position") + MAX_LEVELS)
        return super().save(commit)


class WorkflowLevelInline(TabularInline):
    """A workflow's levels, decided in order of position. Editing them is changing the workflow: the workflow's
    permissions govern them."""

    model = WorkflowLevel
    form = LevelForm
    formset = LevelFormSet
    max_num = MAX_LEVELS
    verbose_name_plural = _("Approval levels")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else 1  # a stored workflow has levels; more: "Add another", in the page

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.tenant = obj.tenant if obj is not None else request.user.tenant
        return formset

    readonly_fields = ["left_out"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workflow").prefetch_related("users", "groups")

    @display(description=_("left out when saved"))
    def left_out(self, level):
        """Who a stored level names that can no longer decide, so saving the level leaves out."""
        notes = []
        gone = sorted(
            str(person.pk) for person in level.users.all() if not may_decide(person, level.workflow.tenant_id)
        )
        if gone:
            notes.append(
                gettext("No longer people of the tenant, left out when saved: %(people)s.")
                % {"people": ", ".join(gone)}
            )
        roles = [str(Role(role).label) for role in level.roles if role not in STAFF_ROLES]
        if roles:
            notes.append(
                gettext("%(roles)s cannot open the console: left out when saved.") % {"roles": ", ".join(roles)}
            )
        return " ".join(notes) or "—"

    def _workflow_admin(self):
        return self.admin_site._registry[HITLWorkflow]

    def has_view_permission(self, request, obj=None):
        return self._workflow_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        workflows = self._workflow_admin()
        return workflows.has_change_permission(request, obj) if obj else workflows.has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)
