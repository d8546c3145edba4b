"""A workflow's approval levels, one row each, and what a level may hold.

The console's inline and the API's nested serializer both write levels through this model's validators, and
through `level_approvers` for what the model cannot check alone (people and groups are many-to-many, set
after the row is saved), so both refuse the same things in the same words. An approval does not follow the rows:
it keeps the levels as they were when it was filed, as JSON (`as_rule`, `hitl.rules.snapshot`).
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenants.models import User
from tenants.roles import STAFF_ROLES, Role
from tenants.services import ROLE_GROUP_PREFIX

MAX_LEVELS = 10
MAX_REQUIRED_APPROVALS = 100  # also what HITLApproval.required_approvals must hold


def validate_required_approvals(value):
    if not 1 <= value <= MAX_REQUIRED_APPROVALS:
        raise ValidationError(
            _("The approvals needed must be a whole number from 1 to %(most)s."),
            code="required_approvals",
            params={"most": MAX_REQUIRED_APPROVALS},
        )


def validate_roles(value):
    """Known roles that can open the console to decide (members cannot)."""
    if not isinstance(value, list) or not all(isinstance(role, str) and role for role in value):
        raise ValidationError(_("Roles must be a list of role names."), code="roles")
    unknown = sorted(set(value) - set(Role.values))
    if unknown:
        raise ValidationError(_("Unknown roles: %(roles)s."), code="roles", params={"roles": ", ".join(unknown)})
    outside = [str(Role(role).label) for role in value if role not in STAFF_ROLES]
    if outside:
        raise ValidationError(
            _("%(roles)s cannot open the console, so cannot decide; pick another role."),
            code="roles",
            params={"roles": ", ".join(outside)},
        )


def levels_count_error(count: int) -> str | None:
    """Why `count` levels cannot make a workflow (the inline's formset and the API say the same)."""
    if count < 1:
        return gettext("Add at least one approval level.")
    if count > MAX_LEVELS:
        return gettext("A workflow has at most %(most)s approval levels.") % {"most": MAX_LEVELS}
    return None


def duplicate_positions_error(positions) -> str | None:
    seen, twice = set(), set()
    for position in positions:
        (twice if position in seen else seen).add(position)
    if not twice:
        return None
    numbers = ", ".join(str(number) for number in sorted(twice))
    return gettext("Two levels cannot share a position: %(positions)s.") % {"positions": numbers}


class WorkflowLevel(models.Model):
    """One sequential level of a workflow: who may decide there, and how many of them must approve."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    workflow = models.ForeignKey(
        "hitl.HITLWorkflow", on_delete=models.CASCADE, related_name="levels", verbose_name=_("workflow")
    )
    position = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVELS)],
        help_text=_("Levels are decided in this order, lowest first."),
        verbose_name=_("position"),
    )
    name = models.CharField(max_length=200, blank=True, verbose_name=_("name"))
    roles = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_roles],
        help_text=_("Anyone of the tenant with these roles. Only roles that can open the console decide."),
        verbose_name=_("roles"),
    )
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people"))
    groups = models.ManyToManyField(Group, blank=True, related_name="+", verbose_name=_("groups"))
    required_approvals = models.PositiveSmallIntegerField(
        default=1, validators=[validate_required_approvals], verbose_name=_("required approvals")
    )

    class Meta:
        ordering = ["workflow_id", "position"]
        verbose_name = _("approval level")
        verbose_name_plural = _("approval levels")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "position"], name="one_level_per_position"),
            # Not capped at MAX_LEVELS: a save that reorders levels moves the stored ones out of the way first.
            models.CheckConstraint(condition=Q(position__gte=1), name="level_position_from_one"),
            models.CheckConstraint(
                condition=Q(required_approvals__gte=1, required_approvals__lte=MAX_REQUIRED_APPROVALS),
                name="level_required_approvals_in_range",
            ),
        ]

    def __str__(self):
        return self.name or gettext("Level %(number)s") % {"number": self.position}

    def as_rule(self) -> dict:
        """The level as an approval's snapshot holds it (people by id): only the approver kinds that name someone."""
        approvers = {
            "roles": list(self.roles),
            "groups": sorted(group.name for group in self.groups.all()),
            "users": sorted(str(person.pk) for person in self.users.all()),
        }
        rule = {"approvers": {kind: names for kind, names in approvers.items() if names}}
        if self.name:
            rule["name"] = self.name
        rule["required_approvals"] = self.required_approvals
        return rule


def named_people(tenant, names) -> list:
    """The active people of `tenant` named by id or email address (as the API and the console's search name
    them); raises ValidationError naming those that are no one's."""
    names = [name for name in names if name]
    ids, emails = [], []
    for name in names:
        if "@" in name:
            emails.append(name.lower())
        else:
            try:
                ids.append(uuid.UUID(name))
            except ValueError:
                continue
    found = User.objects.filter(tenant=tenant, is_active=True).filter(Q(pk__in=ids) | Q(email__in=emails))
    people = list(found) if ids or emails else []
    known = {str(person.pk) for person in people} | {person.email.lower() for person in people}
    unknown = sorted(name for name in names if _person_key(name) not in known)
    if unknown:
        raise ValidationError(
            _("These name no active person of the tenant: %(people)s."),
            code="users",
            params={"people": ", ".join(unknown)},
        )
    return people


def _person_key(name: str) -> str | None:
    """How a level names a person, made comparable: an email in lower case, an id in canonical form."""
    if "@" in name:
        return name.lower()
    try:
        return str(uuid.UUID(name))
    except ValueError:
        return None


def groups_of(tenant):
    """The groups a level of `tenant` may name: those holding at least one of its people, but for the groups that
    give people their roles (a level names roles as roles)."""
    groups = Group.objects.filter(user__tenant=tenant).exclude(name__startswith=ROLE_GROUP_PREFIX)
    return groups.distinct().order_by("name")


def named_groups(tenant, names) -> list:
    """The groups of `tenant`'s people named; raises ValidationError naming the others."""
    groups = list(groups_of(tenant).filter(name__in=names)) if names else []
    unknown = sorted(set(names) - {group.name for group in groups})
    if unknown:
        raise ValidationError(
            _("These name no group of the tenant's people: %(groups)s."),
            code="groups",
            params={"groups": ", ".join(unknown)},
        )
    return groups


def level_approvers(tenant, *, roles, users, groups) -> tuple[list, list]:
    """The people (named by id or email address) and groups a level being written names, found among `tenant`'s.

    What `clean` cannot check, since people and groups are set after the row is saved, so the console's inline
    form and the API's serializer ask here: the level names someone, and only people who can open the console to
    decide. Raises ValidationError with every reason.
    """
    errors, people, found_groups = [], [], []
    try:
        people = named_people(tenant, users)
    except ValidationError as err:
        errors.append(err)
    try:
        found_groups = named_groups(tenant, groups)
    except ValidationError as err:
        errors.append(err)
    if errors:
        raise ValidationError(errors)
    if not (roles or people or found_groups):
        raise ValidationError(_("Names no approvers: tick a role, or pick people or a group."), code="approvers")
    without_console = sorted(str(person.pk) for person in people if person.role not in STAFF_ROLES)
    if without_console:
        raise ValidationError(
            _("These people cannot open the console, so cannot decide: %(people)s."),
            code="users",
            params={"people": ", ".join(without_console)},
        )
    return people, found_groups
