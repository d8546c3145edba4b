"""Rows a module's tests all read, made once for the module instead of once per test.

`made_once(django_db_blocker, make)` opens a transaction around the module and calls `make()` in it: what it made
is there for every test, each test's own transaction (pytest-django's `db`) is a savepoint within it and rolls back
to the rows as made, and the whole is rolled back after the module's last test. For tests that read the same people
and rows through many cases (the access matrices), never for `transactional_db` tests, which commit and flush.
`make` hands on primary keys, not model instances: an instance a test changed would outlive its rollback.
"""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def made_once(django_db_blocker, make):
    around_the_module = transaction.atomic()
    with django_db_blocker.unblock():
        around_the_module.__enter__()
        try:
            made = make()
        except BaseException as error:
            around_the_module.__exit__(type(error), error, error.__traceback__)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            around_the_module.__exit__(None, None, None)
