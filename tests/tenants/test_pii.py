import pytest
from django.core.exceptions import PermissionDenied

from tenants.models import AccessLog
from tenants.pii import find_pii, mask, redact


@pytest.mark.parametrize(
    "text, masked",
    [
        ("write to priya.shah@acme.test", "write to p•••@acme.test"),
        ("call +1 (415) 555-0142 today", "call +• (•••) •••-••42 today"),
        ("or +44 20 7183 8750", "or +•• •• •••• ••50"),
        ("card 4111 1111 1111 1111", "card •••• •••• •••• 1111"),
        ("card 4111-1111-1111-1111.", "card ••••-••••-••••-1111."),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN •••• •••• •••• •••• •••• 32"),
        ("ssn 123-45-6789", "ssn •••-••-6789"),
    ],
)
def test_personal_data_is_masked_but_recognisable(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "address", ["priya.shah@acme.test", "4155550142@acme.test", "a+b@mail.acme.co.uk", "x@y.io", "jo-e@x-y.example"]
)
def test_an_address_alone_is_masked_as_in_text(address):
    """mask() takes an address field's value without running every finder over it: the same result."""
    [match] = find_pii(address)
    assert (match.start, match.end) == (0, len(address))
    assert mask(address) == mask(f"write to {address}")[len("write to ") :]


@pytest.mark.parametrize(
    "text",
    [
        "Raise the Summer Sale budget to $700 a day",
        "order 2026-11-21 #4412 shipped 11/21/2026",
        "reference BR-123456, ticket 5550142",
        "card 4111 1111 1111 1112 fails the Luhn check",
        "spend $12,345.67 over 30 days, 1,234,567 impressions",
        "GB82 WEST 1234 5698 7654 33 (bad IBAN checksum)",
        "version 1.2.3.4 on port 8000",
    ],
)
def test_text_that_only_looks_like_personal_data_is_left_alone(text):
    assert find_pii(text) == [] and mask(text) == text


def test_redaction_names_the_kind():
    assert redact("mail a@b.co or call +1 415 555 0142") == "mail [email] or call [phone]"


def test_access_records_cannot_be_changed_or_deleted(db, tenant):
    record = AccessLog.objects.create(
        tenant=tenant,
        actor_ref="x",
        action="viewed",
        object_type="t",
        object_id="1",
        object_repr="r",
        path="/",
    )
    record.actor_ref = "y"
    with pytest.raises(PermissionDenied):
        record.save()
    with pytest.raises(PermissionDenied):
        record.delete()
    with pytest.raises(PermissionDenied):
        AccessLog.objects.filter(pk=record.pk).update(actor_ref="z")
    with pytest.raises(PermissionDenied):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().actor_ref == "x"


@pytest.mark.postgres("the trigger")
def test_on_postgresql_the_database_itself_refuses(db, tenant):
    from django.db import DatabaseError, connection, transaction

    record = AccessLog.objects.create(
        tenant=tenant,
        actor_ref="x",
        action="viewed",
        object_type="t",
        object_id="1",
        object_repr="r",
        path="/",
    )
    for sql in ("UPDATE tenants_accesslog SET actor_ref = 'y'", "DELETE FROM tenants_accesslog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessLog.objects.get(pk=record.pk).actor_ref == "x"
