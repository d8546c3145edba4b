"""Model rows written and read by hand-written statements, exactly as the ORM would write and read them.

For hot paths, where building the ORM's statement costs more CPU than running it: one
round trip that stores several rows (a data-modifying CTE), an upsert, a joined read.
Callers pass the database wrapper itself (`transaction.get_connection()`), not Django's
`connection` proxy, whose every attribute is a lookup in a context-local store. Each
INSERT takes every concrete field of an unsaved instance through the field's own
`pre_save` and `get_db_prep_save` (defaults, hashes, encryption, JSON), so a field added
to the model later is written here too; columns the statement itself computes come from
an earlier part of it. Rows read back go through the fields' converters, as a queryset's do.
"""

import functools

from django.db.models import Model

# Built once per call site, model and database vendor: (SQL, the fields whose values are its parameters), the
# column list of `returned_columns`, or the columns and converters `loaded` reads a row with.
_shapes: dict[tuple, tuple[str, list] | str | list] = {}


def insert_select(
    instance: Model, connection, *, source: str, taken: dict[str, str], computed: dict[str, str] | None = None
) -> tuple[str, list]:
    """`INSERT INTO <table> (…) SELECT … FROM <source>` for `instance`, unsaved.

    `taken` maps field attnames to columns of `source` (a CTE of the same statement), `computed` to SQL
    expressions over it (written by the caller, never from input); every other field is a parameter. An
    auto-increment primary key left empty is the database's.
    """
    computed = computed or {}
    key = (
        "insert_select",
        type(instance),
        connection.vendor,
        _auto_empty(instance),
        source,
        tuple(taken.items()),
        tuple(computed.items()),
    )
    if (shape := _shapes.get(key)) is None:
        quote = connection.ops.quote_name
        expressions = {**{n: f"{source}.{quote(c)}" for n, c in taken.items()}, **computed}
        columns, values, fields = _columns(instance, connection, expressions)
        table = quote(instance._meta.db_table)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
        shape = _shapes[key] = (sql, fields)
    return shape[0], _params(instance, shape[1], connection)


def upsert(instance: Model, connection, *, unique: list[str], update: list[str]) -> tuple[str, list]:
    """Insert `instance` (unsaved) or, where a row with the same `unique` fields exists, set its `update` fields."""
    key = ("upsert", type(instance), connection.vendor, _auto_empty(instance), tuple(unique), tuple(update))
    if (shape := _shapes.get(key)) is None:
        quote = connection.ops.quote_name
        meta = instance._meta
        columns, values, fields = _columns(instance, connection, {})
        conflict = ", ".join(quote(meta.get_field(name).column) for name in unique)
        changes = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in (meta.get_field(n).column for n in update))
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {changes}"
        )
        shape = _shapes[key] = (sql, fields)
    return shape[0], _params(instance, shape[1], connection)


def _auto_empty(instance: Model) -> bool:
    auto = instance._meta.auto_field
    return auto is not None and getattr(instance, auto.attname) is None


def _columns(instance: Model, connection, computed: dict[str, str]) -> tuple[list[str], list[str], list]:
    """The row's columns and value placeholders, and the fields that are parameters; `computed`: SQL for some."""
    meta = instance._meta
    columns, values, fields = [], [], []
    for field in meta.concrete_fields:
        if field.generated or (field is meta.auto_field and _auto_empty(instance)):
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in computed:
            values.append(computed[field.attname])
        else:
            values.append("%s")
            fields.append(field)
    return columns, values, fields


def _params(instance: Model, fields: list, connection) -> list:
    """The values of `fields` as the ORM's insert writes them (defaults, hashes, encryption, JSON)."""
    return [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]


def mark_saved(instance: Model, connection, **taken_values) -> Model:
    """`instance` as the ORM leaves it after an insert, with the values the statement computed."""
    for attname, value in taken_values.items():
        setattr(instance, attname, value)
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def returned_columns(model: type[Model], connection, *, table: str | None = None) -> str:
    """Every concrete column of `model` (of `table`, an alias, if given), to select and read back with `loaded`."""
    key = ("columns", model, connection.vendor, table)
    if (columns := _shapes.get(key)) is None:
        quote = connection.ops.quote_name
        prefix = f"{quote(table)}." if table else ""
        columns = _shapes[key] = ", ".join(prefix + quote(field.column) for field in model._meta.concrete_fields)
    return columns


def loaded(model: type[Model], connection, row) -> Model:
    """An instance from a row (or a slice of one) of `returned_columns(model)`, converted as a queryset converts it."""
    key = ("loaded", model, connection.vendor)
    if (columns := _shapes.get(key)) is None:
        fields = model._meta.concrete_fields
        columns = _shapes[key] = [
            (field.get_col(model._meta.db_table), field.get_db_converters(connection)) for field in fields
        ]
    values = []
    for (column, converters), value in zip(columns, row, strict=True):
        for convert in connection.ops.get_db_converters(column) + converters:
            value = convert(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, _attnames(model), values)


@functools.cache
def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def split(row, *models: type[Model]) -> list[tuple]:
    """A joined row of `returned_columns` of each of `models`, in that order, cut into one slice per model."""
    parts, start = [], 0
    for model in models:
        end = start + len(model._meta.concrete_fields)
        parts.append(row[start:end])
        start = end
    return parts
