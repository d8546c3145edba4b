"""The embedded default's broker (core.filesystem_broker): no message is read half-written, and a message file
that cannot be decoded is set aside instead of stopping the worker (issue 46)."""

import json
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection
from prometheus_client import REGISTRY

TRANSPORT = "core.filesystem_broker:Transport"
SET_ASIDE = "walker_broker_messages_set_aside_total"


def set_aside_count(queue: str) -> float:
    return REGISTRY.get_sample_value(SET_ASIDE, {"queue": queue}) or 0.0


@pytest.fixture(autouse=True)
def fresh_broker_state():
    """kombu keeps the exchanges and bindings a process declared in one object per transport class, and skips
    writing a binding it holds: each test here has a broker folder of its own, so each starts with none."""
    from kombu.transport.filesystem import Transport

    Transport.global_state.clear()
    yield
    Transport.global_state.clear()


def folders(root: Path) -> dict[str, str]:
    names = {"queue": "queue", "processed": "processed", "control": "control", "set_aside": "set-aside"}
    paths = {key: root / name for key, name in names.items()}
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    return {key: str(path) for key, path in paths.items()}


def connect(root: Path) -> Connection:
    """A connection on the broker as config/settings.py sets it up for the embedded default."""
    paths = folders(root)
    options = {
        "data_folder_in": paths["queue"],
        "data_folder_out": paths["queue"],
        "processed_folder": paths["processed"],
        "control_folder": paths["control"],
        "set_aside_folder": paths["set_aside"],
        "polling_interval": 0.01,
    }
    return Connection("filesystem://", transport=TRANSPORT, transport_options=options)


def older_message_file_name(queue: str) -> str:
    """The name of a message file put a second ago: <monotonic clock>_<uuid>.<queue>.msg, as the writers name them."""
    return f"{time.monotonic_ns() - 10**9:020d}_{uuid.uuid4()}.{queue}.msg"


@pytest.mark.parametrize(
    "content",
    [
        b"",  # created by the writer, not yet written: the race the tester saw
        b'{"body": "eyJoZWxsbyI6ICJ3b3JsZCJ9", "properties": {"deli',  # written halfway
        b"not json at all",
        b"\xff\xfe\x00",  # not even text
        b'"a JSON string, not a message"',
    ],
    ids=["empty", "truncated", "not-json", "not-utf8", "not-a-message"],
)
def test_a_message_file_that_cannot_be_decoded_is_set_aside_and_the_next_one_delivered(tmp_path, content):
    before = set_aside_count("answers")
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("answers")
        bad = Path(tmp_path, "queue", older_message_file_name("answers"))
        bad.write_bytes(content)  # older than the good message: read first
        queue.put({"hello": "world"})

        message = queue.get(timeout=2)

        assert message.payload == {"hello": "world"}
        message.ack()
        queue.close()
    assert not bad.exists()
    assert (tmp_path / "set-aside" / bad.name).read_bytes() == content  # kept, not deleted, for a person to read
    assert list((tmp_path / "queue").iterdir()) == []
    assert set_aside_count("answers") == before + 1


def test_a_queue_holding_only_an_unreadable_file_is_empty_and_stays_usable(tmp_path):
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("answers")
        Path(tmp_path, "queue", older_message_file_name("answers")).write_bytes(b"")

        with pytest.raises(queue.Empty):
            queue.get(timeout=0.2)
        queue.put({"n": 2})
        assert queue.get(timeout=2).payload == {"n": 2}
        queue.close()
    assert len(list((tmp_path / "set-aside").iterdir())) == 1


def test_a_queue_whose_name_is_not_walkers_is_counted_as_other(tmp_path):
    before = set_aside_count("other")
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("celeryev.0f3c2b1a-9d4e")  # Celery's event queues are named by a uuid
        Path(tmp_path, "queue", older_message_file_name("celeryev.0f3c2b1a-9d4e")).write_bytes(b"")
        with pytest.raises(queue.Empty):
            queue.get(timeout=0.2)
        queue.close()
    assert set_aside_count("other") == before + 1  # queue names with ids or host names never become labels


def test_messages_put_in_the_same_millisecond_come_out_in_the_order_they_were_put(tmp_path):
    """kombu's file names start with the millisecond, then a random uuid: two in one millisecond swapped places."""
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("bulk")
        for n in range(5):
            queue.put({"n": n})
        got = []
        for _ in range(5):
            message = queue.get(timeout=2)
            got.append(message.payload["n"])
            message.ack()
        queue.close()
    assert got == [0, 1, 2, 3, 4]
    assert list((tmp_path / "processed").iterdir()) == []  # read, then removed: nothing piles up


def test_a_missing_processed_folder_is_made_rather_than_every_message_skipped(tmp_path):
    with connect(tmp_path) as connection:
        queue = connection.SimpleQueue("answers")
        queue.put({"n": 1})
        (tmp_path / "processed").rmdir()
        assert queue.get(timeout=2).payload == {"n": 1}
        queue.close()


def test_a_reader_listing_the_folder_never_sees_a_message_half_written(tmp_path):
    """beat and daphne write message files while the worker lists the folder: every file a reader can see under a
    message's name is complete (kombu's own transport opens the final name and then writes into it)."""
    queue_folder = Path(folders(tmp_path)["queue"])
    big = "x" * 1_000_000  # a write of ~1 MB takes a while
    done = threading.Event()

    def write():
        try:
            with connect(tmp_path) as connection:  # a connection of the writer's own, as beat and daphne have
                queue = connection.SimpleQueue("answers")
                for _ in range(15):
                    queue.put(big)
                queue.close()
        finally:
            done.set()

    seen, unreadable = set(), []
    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        for name in os.listdir(queue_folder):
            if not name.endswith(".answers.msg") or name.startswith("."):
                continue
            try:
                payload = (queue_folder / name).read_bytes()
            except FileNotFoundError:
                continue
            seen.add(name)
            try:
                json.loads(payload)
            except ValueError:
                unreadable.append((name, len(payload)))
    writer.join()
    assert unreadable == []
    assert seen  # the reader did watch the writes
    assert len([name for name in os.listdir(queue_folder) if name.endswith(".answers.msg")]) == 15
    assert not [name for name in os.listdir(queue_folder) if not name.endswith(".answers.msg")]  # no leftovers
