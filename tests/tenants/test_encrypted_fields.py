"""Emails and phones are stored encrypted, found by keyed hash, and refused for lookups a hash cannot do."""

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import IntegrityError, connection, transaction

from tenants import crypto
from tenants.models import UndeliverableAddress, User, UserPhoneNumber
from tenants.privacy.encrypted_columns import Column, decrypt_existing, encrypt_existing
from tests.factories import PhoneFactory, UserFactory


def _raw(table, column, where_column, value):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {where_column} = %s", [value])
        return cursor.fetchone()[0]


def test_an_email_is_stored_encrypted_and_read_clear(tenant):
    user = UserFactory(tenant=tenant, email="Jane.Doe@Example.com")
    stored = _raw("tenants_user", "email", "id", user.pk.hex if connection.vendor == "sqlite" else user.pk)
    assert "jane" not in stored.lower() and stored.startswith("gAAAAA")
    assert crypto.decrypt(stored) == "jane.doe@example.com"
    assert User.objects.get(pk=user.pk).email == "jane.doe@example.com"
    assert User.objects.filter(pk=user.pk).values_list("email", flat=True).get() == "jane.doe@example.com"


def test_lookups_by_address_go_through_the_hash_and_ignore_case(tenant):
    jane, _ = UserFactory(tenant=tenant, email="jane@example.com"), UserFactory(tenant=tenant)
    assert User.objects.get(email="jane@example.com") == jane
    assert User.objects.get(email__iexact=" JANE@example.COM ") == jane
    assert list(User.objects.filter(email__in=["nobody@example.com", "Jane@Example.com"])) == [jane]
    assert User.objects.get_by_natural_key("JANE@EXAMPLE.COM") == jane
    assert not User.objects.filter(email="jane@example.org").exists()


@pytest.mark.parametrize("lookup", ["email__icontains", "email__startswith", "email__gt"])
def test_lookups_a_hash_cannot_answer_are_refused(tenant, lookup):
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(**{lookup: "jane"}))


def test_an_address_is_unique_whatever_its_case(tenant):
    UserFactory(tenant=tenant, email="jane@example.com")
    duplicate = User(tenant=tenant, email="JANE@example.com")
    with pytest.raises(ValidationError, match="email"):
        duplicate.validate_unique()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(tenant=tenant, email="Jane@Example.com")


def test_changing_an_address_with_update_fields_moves_its_hash(tenant):
    user = UserFactory(tenant=tenant, email="old@example.com")
    user.email = "new@example.com"
    user.save(update_fields=["email"])
    assert User.objects.get(email="new@example.com") == user
    assert not User.objects.filter(email="old@example.com").exists()


def test_phone_numbers_are_encrypted_unique_per_tenant_and_found_by_hash(tenant, other_tenant):
    phone = PhoneFactory(user=UserFactory(tenant=tenant), phone_number="+1 (415) 555-0199")
    stored = _raw("tenants_userphonenumber", "phone_number", "phone_hash", phone.phone_hash)
    assert "5550199" not in stored
    assert UserPhoneNumber.objects.get(phone_number="+14155550199") == phone
    with pytest.raises(IntegrityError), transaction.atomic():
        PhoneFactory(user=UserFactory(tenant=tenant), phone_number="+14155550199")
    PhoneFactory(user=UserFactory(tenant=other_tenant), phone_number="+14155550199")  # another tenant may


def test_undeliverable_addresses_are_keyed_by_hash(db):
    UndeliverableAddress.objects.create(email="Bounced@Example.com", reason="bounce")
    assert UndeliverableAddress.includes("bounced@example.com")
    assert not UndeliverableAddress.includes("other@example.com")
    row = UndeliverableAddress.objects.get()
    assert row.email == "Bounced@Example.com" and "bounced" not in row.address_hash


def test_encrypting_existing_values_is_resumable_and_reversible(tenant):
    user = UserFactory(tenant=tenant, email="jane@example.com")
    col = Column("tenants_user", "email", "email", "email_hash")
    assert decrypt_existing(col) >= 1  # as before the migration: clear values, no hash
    assert _raw("tenants_user", "email_hash", "email", "jane@example.com") == ""
    assert encrypt_existing(col) >= 1
    assert encrypt_existing(col) == 0  # a second run finds nothing left to do
    assert User.objects.get(email="jane@example.com") == user
