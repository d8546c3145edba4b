"""Operations on tenants and their people's roles."""

from contextvars import ContextVar
from itertools import chain

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from guardian.utils import get_group_obj_perms_model

from tenants.roles import ROLE_MODEL_PERMISSIONS, ROLE_TENANT_PERMISSIONS, Role, role_group_name

ROLE_GROUP_PREFIX = "tenant:"


def _permission_ids(dotted_names) -> dict[str, int]:
    """The ids of the permissions named "app_label.codename", by that name, in one query (by codename, the app
    matched here: an OR of a hundred (app, codename) pairs cost the ORM more than the database). Ids, not
    instances: a new tenant needs no Permission objects, and making them was a third of its cost."""
    wanted = set(dotted_names)
    codenames = {name.split(".", 1)[1] for name in wanted}
    found = {
        name: pk
        for pk, app_label, codename in Permission.objects.filter(codename__in=codenames).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if (name := f"{app_label}.{codename}") in wanted
    }
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"Unknown permission(s) in the role matrix: {sorted(missing)}")
    return found


@transaction.atomic
def ensure_role_groups(tenant) -> dict[str, Group]:
    """Create or update the tenant's role groups to match the role matrix. Idempotent.

    A fixed handful of statements whatever the matrix's size: the groups, their model permissions and their
    permissions on the tenant are each read once and written in bulk (one lookup and insert per permission per role
    made a new tenant cost ninety).
    """
    groups = _role_groups(tenant)
    permissions = _permission_ids(
        {*chain.from_iterable(ROLE_MODEL_PERMISSIONS.values())}
        | {f"tenants.{codename}" for codename in chain.from_iterable(ROLE_TENANT_PERMISSIONS.values())}
    )
    through = Group.permissions.through
    _make_rows_match(
        through.objects.filter(group__in=groups.values()),
        {(groups[role].pk, permissions[name]) for role in Role for name in ROLE_MODEL_PERMISSIONS[role]},
        lambda group_id, permission_id: through(group_id=group_id, permission_id=permission_id),
    )
    on_tenant = get_group_obj_perms_model()
    tenant_type = ContentType.objects.get_for_model(tenant)
    _make_rows_match(
        on_tenant.objects.filter(group__in=groups.values(), content_type=tenant_type, object_pk=str(tenant.pk)),
        {
            (groups[role].pk, permissions[f"tenants.{codename}"])
            for role in Role
            for codename in ROLE_TENANT_PERMISSIONS[role]
        },
        lambda group_id, permission_id: on_tenant(
            group_id=group_id, permission_id=permission_id, content_type=tenant_type, object_pk=str(tenant.pk)
        ),
    )
    return groups


def _role_groups(tenant) -> dict[str, Group]:
    """The tenant's group for each role, the missing ones created (a concurrent creation of the same group is
    ignored and read back)."""
    names = {role_group_name(tenant.pk, role): role for role in Role}
    found = {group.name: group for group in Group.objects.filter(name__in=names)}
    if len(found) < len(names):
        Group.objects.bulk_create([Group(name=name) for name in names if name not in found], ignore_conflicts=True)
        found = {group.name: group for group in Group.objects.filter(name__in=names)}
    return {names[name]: group for name, group in found.items()}


def _make_rows_match(rows, wanted: set[tuple], make) -> None:
    """Insert the (group, permission) pairs wanted and missing from `rows`; delete those held and not wanted."""
    held = dict(((row.group_id, row.permission_id), row.pk) for row in rows.only("pk", "group_id", "permission_id"))
    rows.model.objects.bulk_create([make(*pair) for pair in wanted - held.keys()], ignore_conflicts=True)
    stale = [pk for pair, pk in held.items() if pair not in wanted]
    if stale:
        rows.model.objects.filter(pk__in=stale).delete()


def delete_role_groups(tenant_id) -> None:
    Group.objects.filter(name__startswith=f"{ROLE_GROUP_PREFIX}{tenant_id}:").delete()


# Set while sync_role_membership changes a person's groups: the m2m signal that change sends (tenants.signals) has
# nothing left to put right.
_syncing = ContextVar("syncing_role_membership", default=False)


def syncing_role_membership() -> bool:
    return _syncing.get()


def sync_role_membership(user, *, new: bool = False) -> None:
    """Put the user in exactly one role group: their role's, in their tenant. Other groups stay as they are.

    Changes nothing when that already holds, so the membership signal a change sends (tenants.signals) ends there.
    `new`: the person was just created, so holds no group yet.
    """
    held = set() if new else set(user.groups.filter(name__startswith=ROLE_GROUP_PREFIX).values_list("pk", flat=True))
    target = None
    if user.tenant_id is not None:
        target = Group.objects.filter(name=role_group_name(user.tenant_id, user.role)).first()
        if target is None:
            target = ensure_role_groups(user.tenant)[user.role]
    stray = held - {target.pk} if target else held
    changing = _syncing.set(True)
    try:
        if stray:
            user.groups.remove(*stray)
        if target is not None and target.pk not in held:
            user.groups.add(target)
    finally:
        _syncing.reset(changing)
