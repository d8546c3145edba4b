"""The writing half of an API resource each tenant owns, shared by its viewsets (hitl's workflows, agents' action
types): where a new row belongs, and what a lost uniqueness race answers."""

from django.db import IntegrityError, transaction
from rest_framework.exceptions import APIException, PermissionDenied


class TenantOwnedWrites:
    """Mixed into a ModelViewSet. A new row is the caller's tenant's and names them as its creator; a platform
    superuser without a tenant cannot make one (403). Each save runs in a savepoint, and the IntegrityError of a
    race lost to a concurrent request (the serializer's check passed, the constraint did not) answers
    `lost_race()`, a refusal the viewset words, never a 500."""

    owned_rows = "Rows"  # what the 403 names: "Workflows belong to a tenant; …"

    def lost_race(self) -> APIException:
        raise NotImplementedError(f"{type(self).__name__} words the refusal of a lost race")

    def create(self, request, *args, **kwargs):
        if request.user.tenant_id is None:
            raise PermissionDenied(
                f"{self.owned_rows} belong to a tenant; a platform superuser without one cannot create them."
            )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._save(serializer, tenant=self.request.user.tenant, created_by=self.request.user)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer, **extra):
        try:
            with transaction.atomic():
                serializer.save(**extra)
        except IntegrityError:
            raise self.lost_race() from None
