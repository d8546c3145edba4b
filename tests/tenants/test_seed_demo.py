from django.contrib.auth.models import Group
from django.core.management import call_command

from tenants.models import Tenant, User, UserEmailPreference, UserPhoneNumber
from tenants.roles import Role


def _snapshot():
    return {
        "tenants": list(Tenant.objects.values_list("pk", "name", "timezone")),
        "users": list(User.objects.order_by("email").values_list("pk", "email", "role", "password", "tenant_id")),
        "phones": list(UserPhoneNumber.objects.order_by("phone_number").values_list("pk", "phone_number", "user_id")),
        "prefs": list(UserEmailPreference.objects.order_by("pk").values_list("pk", "delivery_time", "timezone")),
        "groups": list(Group.objects.order_by("name").values_list("pk", "name")),
    }


def test_seed_demo_creates_one_user_per_role_with_phones_and_preferences(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    tenant = Tenant.objects.get(slug="acme-outdoor")
    assert tenant.name == "Acme Outdoor"
    people = User.objects.filter(tenant=tenant)
    assert sorted(people.values_list("role", flat=True)) == sorted(Role.values)
    for role in Role.values:
        user = people.get(email=f"{role}@acme.test")
        assert user.check_password("walker-demo")
        assert user.phone_numbers.get(is_primary=True).phone_number.startswith("+1415555")
        assert user.email_preference.timezone == "America/Los_Angeles"
    assert User.objects.get(email="platform@walker.test").is_superuser
    assert "created  tenant Acme Outdoor" in out
    assert "admin@acme.test" in out and "walker-demo" in out


def test_seed_demo_twice_changes_nothing(db, capsys):
    call_command("seed_demo")
    first = _snapshot()
    capsys.readouterr()
    call_command("seed_demo", password="another-password")
    out = capsys.readouterr().out
    assert _snapshot() == first
    assert "  created  " not in out
    assert User.objects.get(email="admin@acme.test").check_password("walker-demo")
