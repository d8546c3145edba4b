"""Django's psycopg pool in forked children and Celery workers: the one place that works around it.

- A forked child (a Celery prefork worker, the test suite's live server) inherits its parent's pool object,
  whose connections are the parent's sockets. The child drops it and opens its own on first use. The
  inherited objects are kept, never finalised: closing them here would end the parent's sessions.
- Celery's Django fixup closes a prefork child's whole pool before and after every task (celery/celery#10554),
  so each task opened two or three new PostgreSQL sessions. `PoolKeepingWorkerFixup` hands a task's
  connection back as at the end of a request (Django's close_old_connections: back to the pool, or closed
  without one or when broken).

Retire the fixup when celery#10554 is fixed (its pull request, celery/celery#10555, keeps the pool between tasks
and closes inherited pools when a child starts); the fork hook stays while anything but Celery forks a process
that has used the pool.
"""

import os

from celery.fixups.django import DjangoFixup, DjangoWorkerFixup
from django.db import close_old_connections

_inherited_from_parent = []


def _leave_parent_pools() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    _inherited_from_parent.extend(DatabaseWrapper._connection_pools.values())
    DatabaseWrapper._connection_pools.clear()


os.register_at_fork(after_in_child=_leave_parent_pools)


class PoolKeepingWorkerFixup(DjangoWorkerFixup):
    """Celery's Django fixup, except that a task gives its connection back instead of closing the pool."""

    def close_database(self, **kwargs) -> None:
        close_old_connections()


def keep_pool_between_tasks(app) -> None:
    for fixup in app._fixups:
        if isinstance(fixup, DjangoFixup):
            fixup.worker_fixup = PoolKeepingWorkerFixup(app)
