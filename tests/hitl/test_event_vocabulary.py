"""Each vocabulary is one set of named members, written and read by name (issue 32, point 3): what the approval
history records, what a notification tells of, why a conversation was closed, and one name for an action that will
run again."""

import ast
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from agents.executors import LedgerExecutor
from conversations.models import Conversation
from hitl.history import Event, log
from hitl.models import HITLApproval, HITLApprovalHistory, HITLNotification
from hitl.services.closing import cancel, escalate
from hitl.services.decisions import approve, reject
from hitl.services.execution import retry_execution, run_execution
from hitl.timeline import history
from tests.factories import CampaignFactory

APPS = ["agents", "analytics", "briefs", "channels_app", "conversations", "core", "hitl", "reports", "tenants"]
# A writer, where it takes the name (an argument's position or a keyword), how its members are spelled there.
WRITERS = {
    "log": (1, "Event", HITLApprovalHistory.Event),
    "notify": (1, "Notice", HITLNotification.Event),
    "close_conversation": ("reason", "Conversation.CloseReason", Conversation.CloseReason),
}


def _calls(name: str, where):
    """(file, line, the argument at `where`) of every call of `name` in the project's code (migrations apart)."""
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in (root / app).rglob("*.py") if (root / app).is_dir() else ():
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                    if isinstance(where, int) and len(node.args) > where:
                        yield path.relative_to(root), node.lineno, node.args[where]
                    for keyword in node.keywords if isinstance(where, str) else ():
                        if keyword.arg == where:
                            yield path.relative_to(root), node.lineno, keyword.value


@pytest.mark.slow  # reads every module that writes events (1.0-1.4 s under two workers)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_writer_names_a_member_never_a_literal(writer):
    where, spelled, vocabulary = WRITERS[writer]
    found = list(_calls(writer, where))
    assert found, f"no call of {writer}() found"
    for path, line, argument in found:
        named = isinstance(argument, ast.Attribute) and ast.unparse(argument.value) == spelled
        assert named and argument.attr in vocabulary.__members__, f"{path}:{line} {ast.unparse(argument)}"


def test_a_name_outside_the_vocabulary_is_refused(ask):
    approval = ask()
    with pytest.raises(ValueError):
        log(approval, "execution_retry", "Will retry.")
    assert not approval.history.filter(event_type="execution_retry").exists()


def test_what_the_services_write_is_in_the_vocabulary_and_valid(
    ask, approver, requester, tenant_admin, monkeypatch, of
):
    executed = approve(ask().pk, actor=approver)
    run_execution(executed.pk, max_attempts=1)
    reject(ask(of=of()).pk, actor=approver, reason="Not this week.")
    escalate(ask(of=of()).pk, actor=approver, reason="Over my head.")
    cancel(ask(of=of()).pk, actor=requester, reason="Not needed.")
    failing = approve(ask(of=of()).pk, actor=approver)
    HITLApproval.objects.filter(pk=failing.pk).update(
        action_data={**failing.action_data, "campaign_id": "00000000-0000-4000-8000-000000000000"}
    )
    with monkeypatch.context() as patch:
        patch.setattr("hitl.services.execution.get_executor", lambda request: LedgerExecutor())
        assert run_execution(failing.pk, max_attempts=1) == "failed"
    retry_execution(failing.pk, actor=tenant_admin)

    written = set(HITLApprovalHistory.objects.values_list("event_type", flat=True))
    assert written >= {Event.CREATED, Event.APPROVED, Event.EXECUTED, Event.REJECTED, Event.ESCALATED}
    assert written >= {Event.CANCELLED, Event.EXECUTION_FAILED, Event.EXECUTION_RETRIED}
    assert written <= set(Event.values)
    for entry in HITLApprovalHistory.objects.all():
        entry.full_clean()
    told = set(HITLNotification.objects.values_list("event", flat=True))
    assert told and told <= set(HITLNotification.Event.values)
    for row in HITLNotification.objects.all():
        row.full_clean()


@pytest.fixture
def of(tenant):
    """Another campaign each time, so no request supersedes another (hitl.services.conflicts)."""
    return lambda: CampaignFactory(tenant=tenant)


def test_the_timeline_names_each_event_in_the_readers_language(ask, approver):
    approval = approve(ask().pk, actor=approver)
    with translation.override("es"):
        titles = [entry.title for entry in history(approval)]
    assert titles[0] == "Solicitada" and "Aprobada" in titles


# --- renaming stored rows (the old chain's 0025 renamed execution_retry so) ------------------------------

# The approval history's trigger (hitl/migrations/0001) lets the tables' owner, a migration, change a row's event
# type, and nothing else of it, while this flag is on for the transaction.
RENAMING_FLAG = "walker.renaming_history_events"


def _stored(entry) -> str:
    return HITLApprovalHistory.objects.filter(pk=entry.pk).values_list("event_type", flat=True).get()


@pytest.fixture
def retried_under_the_old_name(ask):
    """A row as the old code wrote it: the model takes any string; only the writer (`log`) checks the name."""
    approval = ask()
    return HITLApprovalHistory.objects.create(
        tenant_id=approval.tenant_id, approval=approval, event_type="execution_retry", description="Will retry."
    )


@pytest.mark.postgres("the approval history's trigger")
def test_on_postgresql_only_a_migrations_renaming_passes_the_trigger(retried_under_the_old_name):
    """Without the flag the rename is refused like any other change; with it, as the owner, only the name
    changes."""
    table = HITLApprovalHistory._meta.db_table
    with (
        pytest.raises(DatabaseError, match=r"append-only \(UPDATE refused\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {table} SET event_type = 'execution_retried' WHERE id = %s", [retried_under_the_old_name.pk]
        )
    with (
        pytest.raises(DatabaseError, match=r"append-only \(UPDATE refused\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config(%s, 'on', true)", [RENAMING_FLAG])
        cursor.execute(f"UPDATE {table} SET new_status = 'executed' WHERE id = %s", [retried_under_the_old_name.pk])
    before = HITLApprovalHistory.objects.filter(pk=retried_under_the_old_name.pk).values().get()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [RENAMING_FLAG])
        cursor.execute(f"UPDATE {table} SET event_type = 'execution_retried' WHERE event_type = 'execution_retry'")
    after = HITLApprovalHistory.objects.filter(pk=retried_under_the_old_name.pk).values().get()
    assert after == {**before, "event_type": "execution_retried"}


@pytest.mark.postgres("the approval history's trigger and roles")
def test_the_application_role_cannot_rename_events_by_setting_the_flag(retried_under_the_old_name):
    name = f"walker_app_{uuid.uuid4().hex[:8]}"  # created inside the test's transaction: it goes with the rollback
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}"')
    call_command("grant_app_role", name)
    table = HITLApprovalHistory._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{name}"')
    try:
        with (
            pytest.raises(DatabaseError, match=r"append-only \(UPDATE refused\)"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT set_config(%s, 'on', true)", [RENAMING_FLAG])
            cursor.execute(
                f"UPDATE {table} SET event_type = 'execution_retried' WHERE id = %s",
                [retried_under_the_old_name.pk],
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert _stored(retried_under_the_old_name) == "execution_retry"
