"""Access asks permissions, never role names (issue 32): who manages a tenant's approvals is whoever holds
django-guardian's change_tenant on it, and a tenant admin (whose role manages people) is erased only by someone
who manages that tenant's people."""

import pytest
from django.contrib.auth.models import AnonymousUser

from hitl.access import may_manage
from tenants.access import may_erase
from tenants.roles import Role
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("role", "manages"),
    [(Role.ADMIN, True), (Role.APPROVER, False), (Role.SUPPORT, False), (Role.COMPLIANCE, False), (Role.MEMBER, False)],
)
def test_only_those_who_manage_the_tenant_manage_its_approvals(staff, role, manages):
    assert may_manage(staff[role]) is manages


def test_a_superuser_manages_and_a_signed_out_visitor_does_not(superuser):
    assert may_manage(superuser) and not may_manage(AnonymousUser())


def test_an_admin_is_erased_by_another_admin_not_by_compliance(staff, tenant):
    admin, compliance = staff[Role.ADMIN], staff[Role.COMPLIANCE]
    other_admin = UserFactory(tenant=tenant, role=Role.ADMIN, email="second-admin@acme.test")
    assert may_erase(other_admin, admin) and not may_erase(compliance, admin)
    assert may_erase(compliance, staff[Role.MEMBER]) and not may_erase(admin, admin)


def test_a_disabled_admin_is_still_erased_only_by_an_admin(staff, superuser):
    admin, compliance = staff[Role.ADMIN], staff[Role.COMPLIANCE]
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    assert not may_erase(compliance, admin) and may_erase(superuser, admin)
