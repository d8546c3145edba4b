"""The xdist workers' test databases are copies of one template migrated once (tests/template_database.py): run
with two workers on a project of one app whose migration counts its runs, on the run's own kind of database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase

from tests.template_database import _uses_the_database
from tests.workers import process_database_url

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """
import os
SECRET_KEY = "template-test"
INSTALLED_APPS = ["counted"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
if os.environ.get("INNER_DATABASE_URL"):
    import dj_database_url
    DATABASES = {"default": dj_database_url.parse(os.environ["INNER_DATABASE_URL"])}
    DATABASES["default"]["TEST"] = {"NAME": "test_" + DATABASES["default"]["NAME"]}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["INNER_FOLDER"] + "/db.sqlite3",
                             "TEST": {"NAME": os.environ["INNER_FOLDER"] + "/test-db.sqlite3"}}}
"""
MODELS = """
from django.db import models
class Row(models.Model):
    worker = models.CharField(max_length=10)
"""
MIGRATION = """
import os
from django.db import migrations, models
def count(apps, schema_editor):
    with open(os.environ["INNER_FOLDER"] + "/migrated.txt", "a") as counted:
        counted.write(schema_editor.connection.settings_dict["NAME"].__str__() + "\\n")
class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            "Row", [("id", models.AutoField(primary_key=True)), ("worker", models.CharField(max_length=10))]
        ),
        migrations.RunPython(count),
    ]
"""
TESTS = """
import json, os, pytest
from django.db import connection
from counted.models import Row
@pytest.mark.parametrize("n", range(6))
def test_writes_in_its_workers_database(db, n):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    assert not Row.objects.exclude(worker=worker).exists()
    Row.objects.create(worker=worker)
    with open(os.environ["INNER_FOLDER"] + "/seen.txt", "a") as seen:
        seen.write(json.dumps([worker, str(connection.settings_dict["NAME"])]) + "\\n")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", range(2))
def test_commits_in_its_workers_database(n):
    Row.objects.create(worker=os.environ["PYTEST_XDIST_WORKER"])
"""


@pytest.mark.slow
@pytest.mark.django_db
def test_two_workers_migrate_once_and_each_works_in_a_copy_of_its_own(tmp_path):
    (tmp_path / "counted" / "migrations").mkdir(parents=True)
    (tmp_path / "counted" / "__init__.py").write_text("")
    (tmp_path / "counted" / "migrations" / "__init__.py").write_text("")
    (tmp_path / "counted" / "models.py").write_text(MODELS)
    (tmp_path / "counted" / "migrations" / "0001_initial.py").write_text(MIGRATION)
    (tmp_path / "inner_settings.py").write_text(SETTINGS)
    (tmp_path / "test_counted.py").write_text(TESTS)
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.template_database"]\n')  # as tests/conftest.py
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_", "DATABASE_"))}
    env.update(INNER_FOLDER=str(tmp_path), PYTHONPATH=f"{tmp_path}:{ROOT}", DJANGO_SETTINGS_MODULE="inner_settings")
    if connection.vendor == "postgresql":
        env["INNER_DATABASE_URL"] = process_database_url() + "_inner"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", "/dev/null",
         "--rootdir", str(tmp_path), "-n", "2", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout, done.stdout
    migrated = (tmp_path / "migrated.txt").read_text().splitlines()
    assert len(migrated) == 1 and not migrated[0].endswith(("_gw0", "_gw1")), migrated  # the template, once
    seen = {tuple(json.loads(line)) for line in (tmp_path / "seen.txt").read_text().splitlines()}
    names = {worker: Path(name).name for worker, name in seen}
    assert set(names) == {"gw0", "gw1"}, seen
    template = Path(migrated[0]).name
    for worker, name in names.items():
        assert name.startswith(template.removesuffix(".sqlite3")) and worker in name, (worker, name)
    if connection.vendor != "postgresql":
        assert sorted(path.name for path in tmp_path.glob("test-db*")) == [], "the template and copies are left"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{template}%"])
            assert cursor.fetchall() == [], "the template and copies are left"


class _Item:
    """What `_uses_the_database` reads of a collected test."""

    def __init__(self, fixturenames=(), marker=None, cls=None):
        self.fixturenames, self.marker, self.cls = list(fixturenames), marker, cls

    def get_closest_marker(self, name):
        return self.marker if name == "django_db" else None


def test_a_django_test_case_run_alone_gets_a_database():
    """A browser test (a live-server TransactionTestCase) selected on its own found no tables: no pytest-style test
    of the run asked for the database, so none was made."""
    assert _uses_the_database(_Item(cls=TransactionTestCase))
    assert _uses_the_database(_Item(fixturenames=["db"])) and _uses_the_database(_Item(marker=object()))
    assert not _uses_the_database(_Item(cls=SimpleTestCase)) and not _uses_the_database(_Item(fixturenames=["tmp"]))
