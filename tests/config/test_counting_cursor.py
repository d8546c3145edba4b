"""The database's counting cursor class is made once per process, not at every connect or cursor (config.db)."""

from django.db import connection

from config.db.counting import counting_cursor


def test_every_cursor_and_connect_uses_the_same_counting_class(db):
    with connection.cursor() as first, connection.cursor() as second:
        assert type(first.cursor) is type(second.cursor)
        assert type(first.cursor).__name__ == "CursorWrapper"  # django-prometheus' class: queries are still counted
    if connection.vendor == "postgresql":  # each connect builds its parameters (a pooled one too), without a new class
        made, made_again = (connection.get_connection_params()["cursor_factory"] for _ in range(2))
        assert made is made_again


def test_the_class_is_one_per_database_and_cursor_kind():
    assert counting_cursor(dict, "default", "sqlite") is counting_cursor(dict, "default", "sqlite")
    assert counting_cursor(dict, "default", "sqlite") is not counting_cursor(dict, "other", "sqlite")
