"""The approval history is append-only in the database, as the access log is (issue 29, point 5), and the flows
that must still reach it do: a tenant's deletion, an account's deletion, erasure of a note."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hitl.history import erase_notes
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.timeline import history
from tenants import crypto
from tenants.models import Tenant, User

TABLE = HITLApprovalHistory._meta.db_table


def refused(statement, params=None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(caught.value)


def refused_change(entry, change: str, *params) -> str:
    return refused(f"UPDATE {TABLE} SET {change} WHERE id = %s", [*params, entry.pk])


@pytest.fixture
def entry(ask):
    return ask().history.get(event_type="created")


def as_stored(entry) -> dict:
    return HITLApprovalHistory.objects.filter(pk=entry.pk).values().get()


def test_the_model_refuses_to_change_or_delete_an_entry(entry):
    entry.description = "Nothing happened."
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        HITLApprovalHistory.objects.filter(pk=entry.pk).update(description="Nothing happened.")
    with pytest.raises(PermissionDenied):
        HITLApprovalHistory.objects.filter(pk=entry.pk).delete()
    assert HITLApprovalHistory.objects.get(pk=entry.pk).description != "Nothing happened."


@pytest.mark.postgres("triggers and roles")
def test_the_database_refuses_to_rewrite_an_entry(entry, approver):
    before = as_stored(entry)
    for change, *params in [
        ("description = 'Nothing happened.'",),
        ("description = ''",),
        ("said = ''",),  # the same note kept to be told in each reader's language
        ("description = '', said = ''",),
        ("event_type = 'approved'",),
        ("new_status = 'executed'",),
        ("timestamp = timestamp - interval '1 day'",),
        ("""changes = '{"daily_budget": ["500", "5000"]}'""",),
        ("actor_id = %s", approver.pk),  # another person than the one who acted
    ]:
        assert "append-only (UPDATE refused)" in refused_change(entry, change, *params)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the inserts' checks, or TRUNCATE refuses for them
    assert "append-only (TRUNCATE refused)" in refused(f"TRUNCATE {TABLE}")
    assert as_stored(entry) == before


@pytest.mark.postgres("triggers and roles")
def test_an_entry_is_not_deleted_while_its_approval_remains(entry):
    with (
        pytest.raises(DatabaseError, match=r"append-only \(DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would check
    assert HITLApprovalHistory.objects.filter(pk=entry.pk).exists()


def test_erasure_blanks_a_note_and_nothing_else(entry, approver):
    before = as_stored(entry)
    assert erase_notes([entry.pk]) == 1
    assert erase_notes([entry.pk]) == 0  # already blank
    assert before["said"] != ""  # the created entry's note is kept as a sentence too, and goes with it
    assert as_stored(entry) == {**before, "description": "", "said": ""}
    approval = HITLApproval.objects.get(pk=entry.approval_id)
    assert history(approval)[0].text == "The note was erased with the personal data it held."


@pytest.fixture
def app_role(db):
    """A fresh login-less role; created inside the test's transaction, so it vanishes with the rollback."""
    name = f"walker_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}"')
    call_command("grant_app_role", name)
    return name


@pytest.mark.postgres("triggers and roles")
def test_the_application_role_cannot_open_the_way_itself_but_may_erase_notes(entry, app_role):
    before = as_stored(entry)
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('walker.hitl_history_rewrite', 'on', true)")  # what the function sets
        assert "append-only (UPDATE refused)" in refused_change(entry, "description = 'x'")
        assert "append-only (UPDATE refused)" in refused_change(entry, "description = ''")
        assert "append-only (UPDATE refused)" in refused_change(entry, "said = ''")
        assert erase_notes([entry.pk]) == 1  # the one way out: a SECURITY DEFINER function that only blanks notes
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert as_stored(entry) == {**before, "description": "", "said": ""}


@pytest.mark.postgres("triggers and roles")
def test_the_tables_owner_may_rewrite_a_note_in_its_own_maintenance(entry):
    """E.g. a migration encrypting or re-encrypting the column, run as the owner (who could drop the trigger anyway)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('walker.hitl_history_rewrite', 'on', true)")
        cursor.execute(f"UPDATE {TABLE} SET description = %s WHERE id = %s", [crypto.encrypt("Rewritten."), entry.pk])
        assert "append-only (UPDATE refused)" in refused_change(entry, "event_type = 'x'")
        cursor.execute("SELECT set_config('walker.hitl_history_rewrite', 'off', true)")
    assert as_stored(entry)["description"] == "Rewritten."


# --- committed: what the deferred check sees at the end of a real transaction -------------------------


def test_a_history_entry_alone_is_never_deleted(postgres_only, entry):
    with (
        pytest.raises(DatabaseError, match=r"append-only \(DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    assert HITLApprovalHistory.objects.filter(pk=entry.pk).exists()


def test_deleting_an_account_leaves_its_entries_without_an_actor(postgres_only, ask, approver):
    approval = ask()
    approve(approval.pk, actor=approver)
    decided = approval.history.get(event_type="approved")
    before = as_stored(decided)
    approver.delete()
    assert as_stored(decided) == {**before, "actor_id": None}


def test_deleting_a_tenant_deletes_its_approvals_with_their_history(postgres_only, ask, approver, tenant):
    approval = ask()
    approve(approval.pk, actor=approver)
    assert HITLApprovalHistory.objects.filter(tenant=tenant).count() >= 3
    Tenant.objects.get(pk=tenant.pk).delete()
    assert not HITLApproval.objects.filter(pk=approval.pk).exists()
    assert not HITLApprovalHistory.objects.filter(tenant_id=tenant.pk).exists()
    assert not User.objects.filter(tenant_id=tenant.pk).exists()
