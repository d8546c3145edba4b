"""Queue a Celery task once the current transaction commits: a worker never reads rows that are not there yet,
and a rolled-back transaction queues nothing."""

from django.db import transaction


def after_commit(task, *args, robust: bool = False, **kwargs) -> None:
    """`task.delay(*args, **kwargs)` on commit (at once outside a transaction).

    `robust=True` when the caller has a way back should the broker be down (a sweep that finds the row): the
    failure is logged and the other callbacks of the commit still run.
    """

    def queue():
        task.delay(*args, **kwargs)

    queue.__qualname__ = f"after_commit({getattr(task, 'name', task)!s})"
    transaction.on_commit(queue, robust=robust)
