"""Tests never write into the developer's own var/: the console email provider's folder is a temporary one."""

from pathlib import Path

from django.core.mail import send_mail


def files_in(folder):
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_an_email_sent_in_a_test_lands_outside_var_mail(settings, db):
    settings.EMAIL_BACKEND = "channels_app.email.backend.ProviderEmailBackend"
    settings.EMAIL_PROVIDER = "console"
    var_mail = settings.VAR_DIR / "mail"
    before = files_in(var_mail)
    assert send_mail("Hello", "Body", "walker@walker.test", ["someone@example.test"]) == 1
    assert files_in(var_mail) == before
    assert settings.VAR_DIR not in settings.EMAIL_CONSOLE_DIR.parents
    assert files_in(settings.EMAIL_CONSOLE_DIR)


def test_the_sqlite_test_database_is_outside_var(settings, db):
    """On SQLite the test database is a file (one per checkout and xdist worker): in the temporary folder, not var/."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL's test database is on the server
    assert settings.VAR_DIR not in Path(connection.settings_dict["NAME"]).parents
