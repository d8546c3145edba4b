"""Who may manage a tenant's ad platform connections: the question the console (through Django's model
permissions, which the roles grant) and the API both ask."""

from tenants.access import is_signed_in

CHANGE_CONNECTIONS = "adplatforms.change_adconnection"  # tenants.roles grants it to tenant admins


def may_manage_connections(user) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_superuser or (user.tenant_id is not None and user.has_perm(CHANGE_CONNECTIONS))
