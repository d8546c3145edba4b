"""The big tenant's fill (bench/big_tenant_fill.py, never run by the suite) writes its chunks in several processes:
each chunk once, in a process of its own when there are jobs for it, a failure stopping the fill with the chunk's
error, and the count of what was written summed; its instances made from their columns are the ones keywords make,
and the written tables' foreign keys, dropped while it writes, come back the same and check every row."""

import os
import uuid
from datetime import UTC, datetime

import pytest

from bench.big_tenant_fill import Progress, in_processes
from conversations.models import Message


def recording(tmp_path, fail_at=None):
    def chunk(start: int) -> int:
        if start == fail_at:
            raise ValueError(f"chunk {start} failed")
        with open(tmp_path / f"chunk-{start}", "a") as written:
            written.write(f"{os.getpid()}\n")
        return start + 1

    return chunk


def written(tmp_path) -> dict[int, list[int]]:
    return {int(f.name.split("-")[1]): [int(p) for p in f.read_text().split()] for f in tmp_path.glob("chunk-*")}


def test_each_chunk_is_written_once_in_the_jobs_processes_and_the_rows_add_up(tmp_path, capsys):
    starts = [0, 10, 20, 30, 40, 50]
    progress = Progress("things", len(starts))

    in_processes(recording(tmp_path), starts, 2, progress)

    by_start = written(tmp_path)
    assert sorted(by_start) == starts and all(len(pids) == 1 for pids in by_start.values())
    pids = {pid for pids in by_start.values() for pid in pids}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert (progress.done, progress.rows) == (6, sum(s + 1 for s in starts))
    assert "things: chunk 6/6, 156 rows" in capsys.readouterr().out


def test_one_job_writes_here(tmp_path):
    progress = Progress("things", 2)

    in_processes(recording(tmp_path), [0, 5], 1, progress)

    assert written(tmp_path) == {0: [os.getpid()], 5: [os.getpid()]} and progress.rows == 7


def test_a_failed_chunk_stops_the_fill_with_its_error(tmp_path):
    with pytest.raises(ValueError, match="chunk 20 failed"):
        in_processes(recording(tmp_path, fail_at=20), [0, 10, 20, 30], 2, Progress("things", 4))


@pytest.mark.postgres("psycopg's array dumpers")
def test_the_fill_sends_binary_arrays_and_gives_lists_back_as_text(tenant):
    from django.db import connection
    from django.db.backends.signals import connection_created
    from psycopg.adapt import PyFormat
    from psycopg.types.array import ListBinaryDumper, ListDumper

    from bench.big_tenant_fill import binary_arrays
    from tests.factories import ConversationFactory

    conversation = ConversationFactory(tenant=tenant)
    at = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    awkward = 'a "quoted", {braced} text\\'  # what a text array must quote and escape
    rows = [
        Message(tenant=tenant, conversation=conversation, channel="chat", direction="inbound", sender_type="customer",
                text=awkward, metadata={"agent_type": "seo", "n": [1, None]}, seq=1, created_at=at),
        Message(tenant=tenant, conversation=conversation, channel="chat", direction="outbound", sender_type="agent",
                text="", metadata={}, seq=2, created_at=at, content_removed_at=None),
    ]  # fmt: skip
    connection.ensure_connection()

    def list_dumper():
        return connection.connection.adapters.get_dumper(list, PyFormat.AUTO)

    with binary_arrays():
        assert list_dumper() is ListBinaryDumper
        Message.objects.bulk_create(rows)
        connection.connection.adapters.register_dumper(list, ListDumper)
        connection_created.send(sender=type(connection), connection=connection)  # as a connection opened meanwhile
        assert list_dumper() is ListBinaryDumper

    assert list_dumper() is ListDumper
    stored = list(Message.objects.filter(conversation=conversation).order_by("seq"))
    assert [(m.text, m.metadata, m.created_at, m.content_removed_at) for m in stored] == [
        (awkward, {"agent_type": "seo", "n": [1, None]}, at, None),
        ("", {}, at, None),
    ]


def keyword_made(message):
    return {f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields if f.attname != "id"}


def test_rows_makes_the_instance_the_keywords_make_with_fresh_callable_defaults():
    from bench.big_tenant_fill import Rows

    tenant_id, conversation_id = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    new_answer = Rows(Message, tenant_id=tenant_id, direction="outbound", sender_type="agent", status="sent")

    first = new_answer(conversation_id=conversation_id, channel="chat", sealed_text="Hi", seq=2, created_at=at)
    second = new_answer(conversation_id=conversation_id, channel="chat", sealed_text="Hi", seq=2, created_at=at)
    by_keywords = Message(tenant_id=tenant_id, direction="outbound", sender_type="agent", status="sent",
                          conversation_id=conversation_id, channel="chat", sealed_text="Hi", seq=2,
                          created_at=at)  # fmt: skip

    assert keyword_made(first) == keyword_made(by_keywords) == keyword_made(second)
    assert first.id != second.id and first.metadata is not second.metadata  # the uuid4 and the dict, each row's own
    assert new_answer(id=by_keywords.id, created_at=at).id == by_keywords.id


def test_rows_refuses_a_column_the_model_does_not_have():
    from bench.big_tenant_fill import Rows

    with pytest.raises(TypeError, match="Message has no column conversation, tenant"):
        Rows(Message, tenant=None, conversation=None)


@pytest.mark.django_db
def test_what_rows_makes_is_written_and_read_back(tenant):
    from bench.big_tenant_fill import Rows, sealed
    from tests.factories import ConversationFactory

    conversation = ConversationFactory(tenant=tenant)
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    (asked_text, asked_values), (said, _) = sealed(["Call me on +1 415 555 0199", "Here is what I found."])
    made = Rows(Message, tenant_id=tenant.id, conversation_id=conversation.id, channel="chat")
    asked = made(direction="inbound", sender_type="customer", sealed_text=asked_text, sealed_values=asked_values,
                 seq=1, created_at=at)  # fmt: skip
    answer = made(direction="outbound", sender_type="agent", sealed_text=said, in_reply_to_id=asked.id,
                  metadata={"agent_type": "seo"}, seq=2, created_at=at)  # fmt: skip

    Message.objects.bulk_create([asked, answer])

    stored = list(Message.objects.filter(conversation=conversation).order_by("seq"))
    assert [(m.text, m.in_reply_to_id, m.metadata, m.status, m.created_at) for m in stored] == [
        ("Call me on +1 415 555 0199", None, {}, "pending", at),
        ("Here is what I found.", asked.id, {"agent_type": "seo"}, "pending", at),
    ]


def foreign_keys(model) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: (c["columns"], c["foreign_key"]) for name, c in constraints.items() if c["foreign_key"]}


@pytest.mark.postgres("the constraints of a PostgreSQL table")
def test_foreign_keys_are_dropped_while_writing_and_added_back_the_same(tenant):
    from bench.big_tenant_fill import foreign_keys_checked_after

    before = foreign_keys(Message)
    assert len(before) == 3  # tenant, conversation, in_reply_to

    with foreign_keys_checked_after(Message):
        assert foreign_keys(Message) == {}

    assert foreign_keys(Message) == before


@pytest.mark.postgres("the constraints of a PostgreSQL table")
def test_a_row_written_without_its_foreign_row_fails_the_fill_when_the_keys_come_back(tenant):
    from django.db import IntegrityError, transaction

    from bench.big_tenant_fill import foreign_keys_checked_after

    dangling = Message(tenant=tenant, conversation_id=uuid.uuid4(), channel="chat", direction="inbound",
                       sender_type="customer", seq=1)  # fmt: skip
    with (
        pytest.raises(IntegrityError, match="conversation_id"),
        transaction.atomic(),  # the error undoes what it holds: the keys dropped too
        foreign_keys_checked_after(Message),
    ):
        Message.objects.bulk_create([dangling])


@pytest.mark.postgres("the constraints of a PostgreSQL table")
def test_keys_a_killed_fill_left_dropped_are_added_back(tenant):
    from django.db import connection

    from bench.big_tenant_fill import foreign_keys_checked_after, without_constraint

    before = foreign_keys(Message)
    field = Message._meta.get_field("conversation")
    with connection.schema_editor() as editor:
        editor.alter_field(Message, field, without_constraint(field))  # as a fill killed part-way leaves it
    assert len(foreign_keys(Message)) == 2

    with foreign_keys_checked_after(Message):
        pass

    assert foreign_keys(Message) == before
