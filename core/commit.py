"""Queue a Celery task once the current transaction commits: a worker never reads rows that are not there yet,
and a rolled-back transaction queues nothing."""

from collections.abc import Callable

from django.db import transaction


def after_commit(
    task, *args, robust: bool = False, task_id: str | None = None, refused: Callable[[], None] | None = None, **kwargs
) -> None:
    """`task.delay(*args, **kwargs)` on commit (at once outside a transaction).

    `robust=True` when the caller has a way back should the broker be down (a sweep that finds the row): the
    failure is logged and the other callbacks of the commit still run; `refused` is called first, to undo what the
    transaction stored for the task. `task_id`: the id the task runs under, when the transaction stored something
    in its name (a lease).
    """

    def queue():
        try:
            if task_id is None:
                task.delay(*args, **kwargs)
            else:
                task.apply_async(args, kwargs, task_id=task_id)
        except Exception:
            if refused is not None:
                refused()
            raise

    queue.__qualname__ = f"after_commit({getattr(task, 'name', task)!s})"
    transaction.on_commit(queue, robust=robust)
