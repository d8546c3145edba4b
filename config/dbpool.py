"""Django's psycopg pool belongs to one process.

A forked child (a Celery prefork worker, the test suite's live server) inherits
its parent's pool object, whose connections are the parent's sockets. The child
drops it and opens its own on first use. The inherited objects are kept, never
finalised: closing them here would end the parent's sessions.
"""

import os

_inherited_from_parent = []


def _leave_parent_pools() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    _inherited_from_parent.extend(DatabaseWrapper._connection_pools.values())
    DatabaseWrapper._connection_pools.clear()


os.register_at_fork(after_in_child=_leave_parent_pools)
