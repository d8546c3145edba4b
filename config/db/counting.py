"""One counting cursor class per process and database, not one per connection or per cursor.

django-prometheus builds a new cursor class each time it hands one out: for PostgreSQL in `get_connection_params`,
which Django calls at every connect (with the pool, each time a request, a socket's step or a task takes a
connection, though a pooled connect never reads those parameters); for SQLite at every cursor. Each class is made,
used once and left to the garbage collector, which only a collection of cycles frees.
"""

from functools import cache

from django_prometheus.db.common import ExportingCursorWrapper


@cache
def counting_cursor(cursor_class, alias: str, vendor: str):
    """`cursor_class` counted by django-prometheus for the database `alias`: the same class each time."""
    return ExportingCursorWrapper(cursor_class, alias, vendor)
