"""Who may manage a tenant's action types: the question the console (through Django's model permissions, which
the roles grant to tenant admins) and the API both ask."""

from agents.tenant_actions.models import TenantActionType
from tenants.access import is_signed_in

CHANGE_ACTION_TYPES = "agents.change_tenantactiontype"  # tenants.roles grants it to tenant admins


def may_manage_action_types(user) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_superuser or (user.tenant_id is not None and user.has_perm(CHANGE_ACTION_TYPES))


def action_types_for(user):
    """The action types `user` manages: their tenant's (every tenant's for a superuser); none for anyone else."""
    if not may_manage_action_types(user):
        return TenantActionType.objects.none()
    return TenantActionType.objects.for_user(user)
