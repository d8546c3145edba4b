"""Tenant scoping in one place: every admin, API and view query goes through `for_user()`."""

from django.db import models


class TenantScopedQuerySet(models.QuerySet):
    """Rows of the caller's tenant only; superusers see all, anyone else without a tenant sees none.

    `tenant_id_field` names the column holding the tenant id ("pk" for Tenant itself).
    """

    tenant_id_field = "tenant_id"

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.tenant_id is None:
            return self.none()
        return self.filter(**{self.tenant_id_field: user.tenant_id})

    def for_tenant(self, tenant):
        return self.filter(**{self.tenant_id_field: tenant.pk})
