"""Operations on tenants and their people's roles."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from tenants.roles import ROLE_MODEL_PERMISSIONS, ROLE_TENANT_PERMISSIONS, Role, role_group_name

ROLE_GROUP_PREFIX = "tenant:"


def _permissions(dotted_names: list[str]) -> list[Permission]:
    if not dotted_names:
        return []
    wanted = {tuple(name.split(".", 1)) for name in dotted_names}
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Unknown permission(s) in the role matrix: {sorted(missing)}")
    return found


@transaction.atomic
def ensure_role_groups(tenant) -> dict[str, Group]:
    """Create or update the tenant's role groups to match the role matrix. Idempotent."""
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role_group_name(tenant.pk, role))
        group.permissions.set(_permissions(ROLE_MODEL_PERMISSIONS[role]))
        wanted = set(ROLE_TENANT_PERMISSIONS[role])
        held = set(get_perms(group, tenant))
        for codename in wanted - held:
            assign_perm(f"tenants.{codename}", group, tenant)
        for codename in held - wanted:
            remove_perm(f"tenants.{codename}", group, tenant)
        groups[role] = group
    return groups


def delete_role_groups(tenant_id) -> None:
    Group.objects.filter(name__startswith=f"{ROLE_GROUP_PREFIX}{tenant_id}:").delete()


def sync_role_membership(user) -> None:
    """Put the user in exactly one role group: their role's, in their tenant. Other groups stay as they are.

    Changes nothing when that already holds, so the membership signal a change sends (tenants.signals) ends there.
    """
    held = set(user.groups.filter(name__startswith=ROLE_GROUP_PREFIX).values_list("pk", flat=True))
    target = None
    if user.tenant_id is not None:
        target = Group.objects.filter(name=role_group_name(user.tenant_id, user.role)).first()
        if target is None:
            target = ensure_role_groups(user.tenant)[user.role]
    stray = held - {target.pk} if target else held
    if stray:
        user.groups.remove(*stray)
    if target is not None and target.pk not in held:
        user.groups.add(target)
