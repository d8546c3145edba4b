import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tenants.models import User, UserEmailPreference, UserPhoneNumber
from tenants.phones import normalize_phone
from tenants.roles import Role
from tests.factories import EmailPreferenceFactory, PhoneFactory, TenantFactory, UserFactory


@pytest.mark.parametrize(
    "raw",
    ["+1 415 555 0100", "+1 (415) 555-0100", "+1.415.555.0100", " +14155550100 ", "001 415 555 0100"],
)
def test_phone_numbers_are_normalised_to_e164(raw, settings):
    settings.PHONE_DEFAULT_REGION = "GB"  # "001" is the international prefix only when dialling from the UK
    assert normalize_phone(raw) == "+14155550100"


def test_national_number_uses_the_default_region(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert normalize_phone("020 7183 8750") == "+442071838750"


def test_national_number_without_a_default_region_asks_for_the_country_code(settings):
    settings.PHONE_DEFAULT_REGION = None
    with pytest.raises(ValidationError) as err:
        normalize_phone("(415) 555-0100")
    assert "country code" in err.value.messages[0]


@pytest.mark.parametrize("raw", ["not a phone", "+1 555 555 5555", "+44 12", "+999 1234567"])
def test_bad_phone_is_rejected_with_a_clear_message(raw):
    with pytest.raises(ValidationError) as err:
        normalize_phone(raw)
    assert raw.strip() in err.value.messages[0]


def test_empty_phone_is_rejected():
    with pytest.raises(ValidationError, match="Enter a phone number"):
        normalize_phone("  ")


def test_saving_a_phone_normalises_and_copies_the_tenant(tenant_admin):
    phone = UserPhoneNumber.objects.create(user=tenant_admin, phone_number="+1 (415) 555-0100")
    phone.refresh_from_db()
    assert phone.phone_number == "+14155550100"
    assert phone.tenant_id == tenant_admin.tenant_id


def test_saving_a_bad_phone_raises_and_stores_nothing(tenant_admin):
    with pytest.raises(ValidationError):
        UserPhoneNumber.objects.create(user=tenant_admin, phone_number="12")
    assert not UserPhoneNumber.objects.exists()


def test_phone_is_unique_within_a_tenant_but_not_across(tenant_admin, colleague, outsider):
    PhoneFactory(user=tenant_admin, phone_number="+14155550100")
    duplicate = UserPhoneNumber(user=colleague, phone_number="+1 415 555 0100")
    with pytest.raises(ValidationError) as err:
        duplicate.full_clean()
    assert "already belongs to someone in this tenant" in str(err.value)
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_same_phone_may_exist_in_another_tenant(tenant_admin, outsider):
    PhoneFactory(user=tenant_admin, phone_number="+14155550100")
    other = UserPhoneNumber(user=outsider, phone_number="+14155550100")
    other.full_clean()
    other.save()
    assert UserPhoneNumber.objects.filter(phone_number="+14155550100").count() == 2


def test_marking_a_phone_primary_unmarks_the_previous_one(colleague):
    first = PhoneFactory(user=colleague, phone_number="+14155550100", is_primary=True)
    second = PhoneFactory(user=colleague, phone_number="+14155550111", is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_superuser_without_tenant_cannot_hold_a_phone(superuser):
    with pytest.raises(ValidationError, match="no tenant"):
        UserPhoneNumber(user=superuser, phone_number="+14155550100").full_clean()


def test_email_is_stored_lowercase_and_login_is_case_insensitive(tenant):
    user = UserFactory(tenant=tenant, email="Priya.Shah@Acme.TEST")
    assert user.email == "priya.shah@acme.test"
    assert User.objects.get_by_natural_key("PRIYA.SHAH@acme.test") == user


def test_email_is_unique_whatever_its_case(tenant):
    UserFactory(tenant=tenant, email="sam@acme.test")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="SAM@acme.test", tenant=tenant)])


@pytest.mark.parametrize(
    "role, is_staff",
    [(Role.ADMIN, True), (Role.APPROVER, True), (Role.SUPPORT, True), (Role.COMPLIANCE, True), (Role.MEMBER, False)],
)
def test_console_access_follows_the_role(tenant, role, is_staff):
    assert UserFactory(tenant=tenant, role=role).is_staff is is_staff


def test_role_change_saved_with_update_fields_updates_staff(colleague):
    colleague.role = Role.SUPPORT
    colleague.save(update_fields=["role"])
    colleague.refresh_from_db()
    assert colleague.is_staff


def test_only_superusers_may_have_no_tenant(db):
    with pytest.raises(IntegrityError):
        UserFactory(tenant=None, is_superuser=False)


def test_email_preference_defaults_to_the_tenant_time_zone_and_all_sections(colleague):
    pref = EmailPreferenceFactory(user=colleague)
    assert pref.timezone == "Europe/Paris"
    assert pref.tenant_id == colleague.tenant_id
    assert "approvals" in pref.include_sections


def test_email_preference_rejects_unknown_sections(colleague):
    pref = UserEmailPreference(user=colleague, include_sections=["approvals", "horoscope"])
    with pytest.raises(ValidationError, match="horoscope"):
        pref.full_clean()


def test_email_preference_rejects_unknown_time_zones(colleague):
    pref = UserEmailPreference(user=colleague, timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="IANA"):
        pref.full_clean()


def test_tenant_time_zone_is_validated(db):
    tenant = TenantFactory.build(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError, match="IANA"):
        tenant.full_clean()
