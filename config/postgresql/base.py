"""Django's PostgreSQL backend, whose connection pool does not re-check a connection given back moments ago.

With CONN_HEALTH_CHECKS, Django's pool checks every connection it hands out with a round trip
(psycopg_pool's `check_connection`). Under daphne every request and every chat message takes a
connection from the pool and gives it back, so each paid that round trip: about a tenth of a
WhatsApp webhook's CPU. A connection given back less than RECHECK_AFTER_SECONDS ago was working
then and is handed out as it is; an older one is checked as before, and one that fails is
replaced. This is HikariCP's alive-bypass window (500 ms by default). A server restart inside
that half second fails the queries of the connections given back just before it; they are then
discarded, as psycopg_pool discards any connection given back broken.
"""

import time

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

RECHECK_AFTER_SECONDS = 0.5


def check_unless_just_used(conn) -> None:
    """The pool's `check`: a round trip only for a connection idle longer than RECHECK_AFTER_SECONDS."""
    given_back = getattr(conn, "walker_given_back_at", None)
    if given_back is None or time.monotonic() - given_back >= RECHECK_AFTER_SECONDS:
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        # Django passes psycopg_pool's own check when CONN_HEALTH_CHECKS is on, and `check` cannot be given in
        # the pool OPTIONS beside it: it is replaced here, before the pool opens on first use.
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = check_unless_just_used
        return pool

    def _close(self):
        # Noted here, not by a pool `reset` callback: with one, psycopg_pool gives every connection back through
        # its worker thread, a thread hand-off per request.
        if self.connection is not None and self.pool is not None:
            self.connection.walker_given_back_at = time.monotonic()
        return super()._close()
