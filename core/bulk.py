"""Per-row updates of a few hundred rows in one round trip.

Django's `bulk_update` writes one UPDATE with a CASE per field and row; building those expressions costs
more Python time than the round trips it saves (measured on the daily briefs, bench/brief_bench.py).
`executemany` of a plain UPDATE is pipelined by psycopg 3 and native to SQLite.
"""

from django.db import connections, router


def update_each(objs: list, fields: list[str]) -> None:
    """Save `fields` of every object in `objs` (all of one model), as `save(update_fields=…)` would, row by row."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [meta.pk.get_db_prep_value(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
