"""Calls released together in threads, each on its own database connection (PostgreSQL concurrency tests)."""

import threading

from django.db import connection, connections

from tenants.access import AccessDenied


def at_once(*calls):
    """Run the calls in threads released together; each one's result, or the code of the refusal it raised
    (AccessDenied: decision, takeover and access errors alike)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(5)
            results[index] = call()
        except AccessDenied as err:
            results[index] = err.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    return results


def waiting_on_a_lock(table: str = "") -> bool:
    """Another session of the test database waits for a lock (in a statement naming `table`, if given)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the statistics stay frozen
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE %s",
            [f"%{table}%"],
        )
        return cursor.fetchone()[0] > 0


def in_thread(work) -> threading.Thread:
    """`work()` started in a thread of its own, which closes its database connections when done."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
