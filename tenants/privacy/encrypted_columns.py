"""Raw-SQL passes over encrypted columns: encrypting existing values (migrations) and key rotation.

Both walk a table in primary-key order, in batches, and rewrite only the values that need it, so a pass
that stops half-way (a crash, a deploy) is finished by running it again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from tenants import crypto
from tenants.fields import EncryptedTextField, hash_of

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte and timestamp, base64
BATCH = 500
# Set for the transaction of each rewrite on PostgreSQL; append-only tables let their owner re-encrypt while it is on.
REWRITING_FLAG = "walker.rewriting_encrypted_values"


@dataclass(frozen=True)
class Column:
    table: str
    column: str
    kind: str = "text"
    hash_column: str | None = None
    pk: str = "id"

    def __str__(self):
        return f"{self.table}.{self.column}"


def _batches(col: Column) -> Iterator[list[tuple]]:
    q = connection.ops.quote_name
    last = None
    while True:
        with connection.cursor() as cursor:
            after = f"WHERE {q(col.pk)} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {q(col.pk)}, {q(col.column)} FROM {q(col.table)} {after}ORDER BY {q(col.pk)} LIMIT %s",
                [last, BATCH] if last is not None else [BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite(col: Column, changes: list[tuple]) -> None:
    """Rewrite the values in one transaction. On PostgreSQL it says it is re-encrypting (REWRITING_FLAG): an
    append-only table's trigger lets its owner's re-encryption through, and nothing else."""
    q = connection.ops.quote_name
    sets = f"{q(col.column)} = %s" + (f", {q(col.hash_column)} = %s" if col.hash_column else "")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [REWRITING_FLAG])
        cursor.executemany(f"UPDATE {q(col.table)} SET {sets} WHERE {q(col.pk)} = %s", changes)


def _pass(col: Column, change: Callable[[str], tuple | None], progress=None) -> int:
    done = 0
    for rows in _batches(col):
        changes = [(*new, pk) for pk, value in rows if value and (new := change(value)) is not None]
        if changes:
            _rewrite(col, changes)
        done += len(changes)
        if progress:
            progress(col, len(rows), len(changes))
    return done


def encrypt_existing(col: Column) -> int:
    """Encrypt the clear values of a column (and fill its hash); values already encrypted are left alone."""

    def change(value):
        if value.startswith(FERNET_PREFIX):
            return None
        token = crypto.encrypt(value)
        return (token, hash_of(col.kind, value)) if col.hash_column else (token,)

    return _pass(col, change)


def decrypt_existing(col: Column) -> int:
    """The reverse, for migrating back."""

    def change(value):
        if not value.startswith(FERNET_PREFIX):
            return None
        return (crypto.decrypt(value), "") if col.hash_column else (crypto.decrypt(value),)

    return _pass(col, change)


def rotate(col: Column, progress=None) -> int:
    """Re-encrypt under the newest key every value it does not already open; hashes never change."""
    rotation = Column(col.table, col.column, pk=col.pk)

    def change(value):
        return None if crypto.is_current(value) else (crypto.rotate(value),)

    return _pass(rotation, change, progress)


@dataclass(frozen=True)
class JsonKey:
    """An encrypted value inside a JSON column: `model_label`'s `field`[`key`] (e.g. an event's sealed values)."""

    model_label: str
    field: str
    key: str

    def __str__(self):
        return f"{self.model_label}.{self.field}[{self.key!r}]"


_json_keys: list[JsonKey] = []


def register_json_key(model_label: str, field: str, key: str) -> None:
    """Called by the app that stores an encrypted value inside JSON, so rotation finds it."""
    entry = JsonKey(model_label, field, key)
    if entry not in _json_keys:
        _json_keys.append(entry)


def encrypted_columns() -> list[Column]:
    """Every column of an `EncryptedTextField`, in every installed app."""
    return [
        Column(model._meta.db_table, field.column, pk=model._meta.pk.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def json_keys() -> list[JsonKey]:
    return list(_json_keys)


def rotate_json(entry: JsonKey, progress=None) -> int:
    model = apps.get_model(entry.model_label)
    rows = model.objects.filter(**{f"{entry.field}__has_key": entry.key}).order_by("pk")
    done, last = 0, None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows).values_list("pk", entry.field)[:BATCH])
        if not batch:
            return done
        stale = [(pk, data) for pk, data in batch if data[entry.key] and not crypto.is_current(data[entry.key])]
        with transaction.atomic():
            for pk, data in stale:
                model.objects.filter(pk=pk).update(**{entry.field: {**data, entry.key: crypto.rotate(data[entry.key])}})
        done += len(stale)
        last = batch[-1][0]
        if progress:
            progress(entry, len(batch), len(stale))


def migration(*columns: Column):
    """RunPython forwards and backwards functions encrypting `columns` in place."""

    def forwards(apps, schema_editor):
        for col in columns:
            encrypt_existing(col)

    def backwards(apps, schema_editor):
        for col in columns:
            decrypt_existing(col)

    return forwards, backwards
