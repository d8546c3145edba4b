from django.contrib.auth.models import Group
from guardian.shortcuts import get_perms

from tenants.roles import Role, role_group_name
from tenants.services import ensure_role_groups
from tests.factories import TenantFactory, UserFactory


def test_creating_a_tenant_creates_one_group_per_role_with_tenant_object_permissions(db):
    tenant = TenantFactory()
    groups = {role: Group.objects.get(name=role_group_name(tenant.pk, role)) for role in Role}
    assert set(get_perms(groups[Role.COMPLIANCE], tenant)) == {"view_tenant", "view_pii"}
    assert set(get_perms(groups[Role.ADMIN], tenant)) == {"view_tenant", "change_tenant", "manage_users"}
    assert "view_pii" not in get_perms(groups[Role.SUPPORT], tenant)


def test_object_permissions_hold_for_the_own_tenant_only(tenant, other_tenant):
    compliance = UserFactory(tenant=tenant, role=Role.COMPLIANCE)
    assert compliance.has_perm("tenants.view_pii", tenant)
    assert not compliance.has_perm("tenants.view_pii", other_tenant)
    assert not UserFactory(tenant=tenant, role=Role.SUPPORT).has_perm("tenants.view_pii", tenant)


def test_a_user_is_in_exactly_their_role_group_and_moves_when_the_role_changes(tenant):
    user = UserFactory(tenant=tenant, role=Role.SUPPORT)
    assert list(user.groups.values_list("name", flat=True)) == [role_group_name(tenant.pk, Role.SUPPORT)]
    user.role = Role.APPROVER
    user.save()
    assert list(user.groups.values_list("name", flat=True)) == [role_group_name(tenant.pk, Role.APPROVER)]


def test_moving_a_user_to_another_tenant_moves_their_group(tenant, other_tenant):
    user = UserFactory(tenant=tenant, role=Role.COMPLIANCE)
    user.tenant = other_tenant
    user.save()
    assert list(user.groups.values_list("name", flat=True)) == [role_group_name(other_tenant.pk, Role.COMPLIANCE)]
    assert not user.has_perm("tenants.view_pii", tenant)


def test_ensure_role_groups_is_idempotent_and_repairs_drift(tenant):
    from guardian.shortcuts import assign_perm

    support = Group.objects.get(name=role_group_name(tenant.pk, Role.SUPPORT))
    assign_perm("tenants.view_pii", support, tenant)  # drift: granted by hand
    ensure_role_groups(tenant)
    ensure_role_groups(tenant)
    assert "view_pii" not in get_perms(support, tenant)
    assert Group.objects.filter(name__startswith=f"tenant:{tenant.pk}:").count() == len(Role)


def test_deleting_a_tenant_deletes_its_groups(db):
    tenant = TenantFactory()
    tenant_id = tenant.pk
    tenant.delete()
    assert not Group.objects.filter(name__startswith=f"tenant:{tenant_id}:").exists()


def test_a_login_does_not_resync_groups(tenant, django_assert_num_queries):
    user = UserFactory(tenant=tenant)
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])


def test_a_new_person_joins_their_role_group_in_four_statements(tenant, django_assert_num_queries):
    """The insert, the role group's lookup and the membership's (Django reads the pairs it adds, then inserts). Not
    the person's groups (a new person has none), and not a second pass when the membership's own signal fires."""
    with django_assert_num_queries(4):
        user = UserFactory(tenant=tenant, role=Role.APPROVER)
    assert group_names(user) == {role_group_name(tenant.pk, Role.APPROVER)}


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_whatever_sets_a_persons_groups_leaves_them_in_their_role_group_only(tenant, other_tenant):
    """Issue 29: the admin saves its form's "groups" after the person, which took their role group away."""
    user = UserFactory(tenant=tenant, role=Role.SUPPORT)
    own = role_group_name(tenant.pk, Role.SUPPORT)
    leads = Group.objects.create(name="Marketing leads")  # not a role group: kept as set
    user.groups.clear()
    assert group_names(user) == {own}
    user.groups.set([leads, Group.objects.get(name=role_group_name(other_tenant.pk, Role.ADMIN))])
    assert group_names(user) == {own, "Marketing leads"}
    Group.objects.get(name=role_group_name(tenant.pk, Role.ADMIN)).user_set.add(user)  # from the group's side
    assert group_names(user) == {own, "Marketing leads"}
    Group.objects.get(name=own).user_set.remove(user)
    assert group_names(user) == {own, "Marketing leads"}
    Group.objects.get(name=own).user_set.clear()
    assert group_names(user) == {own, "Marketing leads"}
    root = UserFactory(tenant=None, is_superuser=True)
    root.groups.add(Group.objects.get(name=own), leads)  # no tenant: no role group
    assert group_names(root) == {"Marketing leads"}


def test_a_new_tenants_role_groups_cost_a_handful_of_statements_whatever_the_matrix(db, django_assert_max_num_queries):
    """Ninety-three statements (a lookup and an insert per permission per role) made a tenant the costliest row of
    the test suite, about a tenth of a second each. Now sixteen, the factory's own and the savepoints included."""
    with django_assert_max_num_queries(16):
        TenantFactory()


def test_ensure_role_groups_repairs_model_permissions_both_ways(tenant):
    from django.contrib.auth.models import Permission

    support = Group.objects.get(name=role_group_name(tenant.pk, Role.SUPPORT))
    granted_by_hand = Permission.objects.get(content_type__app_label="tenants", codename="delete_tenant")
    expected = set(support.permissions.values_list("pk", flat=True))
    support.permissions.add(granted_by_hand)
    support.permissions.remove(*list(support.permissions.exclude(pk=granted_by_hand.pk))[:2])
    ensure_role_groups(tenant)
    assert set(support.permissions.values_list("pk", flat=True)) == expected


def test_two_processes_making_the_same_groups_at_once_both_end_with_the_matrix(postgres_only):
    """Each insert ignores a row another transaction just made, and both read back the same groups."""
    from tests.concurrency import at_once

    tenant = TenantFactory()
    Group.objects.filter(name__startswith=f"tenant:{tenant.pk}:").delete()
    first, second = at_once(lambda: ensure_role_groups(tenant), lambda: ensure_role_groups(tenant))
    assert first is not None and second is not None
    assert {role: group.pk for role, group in first.items()} == {role: group.pk for role, group in second.items()}
    compliance = Group.objects.get(name=role_group_name(tenant.pk, Role.COMPLIANCE))
    assert set(get_perms(compliance, tenant)) == {"view_tenant", "view_pii"}
