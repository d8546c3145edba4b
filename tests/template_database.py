"""One migrated test database per run, cloned for each pytest-xdist worker.

Each worker used to migrate its own test database: about 8 s of processor each, three times over on two cores.
Now the first worker to get here migrates a template (the test database's own name, `test_…`) while the others
wait on a lock, and every worker copies it with Django's own `clone_test_db` (PostgreSQL: `CREATE DATABASE … WITH
TEMPLATE`; SQLite: a copy of the file) into the name pytest-django gave it before (`…_gw0`). The controller
drops the template when the run ends. Without pytest-xdist, and with `--reuse-db`, a process makes its own
database as pytest-django would.

Django's own parallel runner clones the same way (django.test.utils.setup_databases with `parallel`).
"""

import fcntl
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytest_django.plugin import blocking_manager_key

TEMPLATE_DIR = "walker_template_dir"  # the key of the folder the controller hands each worker (workerinput)
# pytest-django's fixtures that reach the database (every one of the suite's own asks for one of them).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist's controller, before each worker starts: where the run's template is recorded."""
    config = node.config
    if not hasattr(config, "walker_template_dir"):
        config.walker_template_dir = tempfile.mkdtemp(prefix="walker-test-template-")
    node.workerinput[TEMPLATE_DIR] = config.walker_template_dir


def pytest_unconfigure(config):
    """The controller, after every worker is done: drop the template the first worker made."""
    folder = getattr(config, "walker_template_dir", None)
    if folder is None:
        return
    record = Path(folder) / "template.json"
    if record.exists():
        from django.db import connection

        made = json.loads(record.read_text())
        original = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = made["name"]
        with config.stash[blocking_manager_key].unblock():
            connection.creation.destroy_test_db(old_database_name=original, verbosity=0)
        for companion in ("-wal", "-shm"):  # SQLite's, which Django does not delete
            Path(f"{made['name']}{companion}").unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _locked(folder: Path):
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


def _point_at(name) -> None:
    """Where this process's connection, and the live servers it forks (channels.testing reads TEST NAME), go."""
    from django.conf import settings
    from django.db import connection

    connection.close()
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["TEST"]["NAME"] = connection.settings_dict["TEST"]["NAME"] = name


def _cloned(folder: Path, worker: str, verbosity: int):
    """The template, made by the first worker here, copied into this worker's database; its name."""
    from django.db import connection

    creation = connection.creation
    record = folder / "template.json"
    with _locked(folder):
        if record.exists():
            _point_at(json.loads(record.read_text())["name"])
        else:
            name = creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
            connection.close()  # PostgreSQL copies no database anyone is connected to
            record.write_text(json.dumps({"name": str(name)}))
        clone = creation.get_test_db_clone_settings(worker)["NAME"]
        creation.clone_test_db(suffix=worker, verbosity=verbosity, autoclobber=True)
    _point_at(clone)
    return clone


@contextmanager
def migrated_template(config):
    """The name of the run's migrated template database, held from other workers' copies while the caller copies
    it (PostgreSQL copies no database another session reads); None without one (a run without pytest-xdist)."""
    folder = getattr(config, "workerinput", {}).get(TEMPLATE_DIR)
    if folder is None or not (Path(folder) / "template.json").exists():
        yield None
        return
    with _locked(Path(folder)):
        yield json.loads((Path(folder) / "template.json").read_text())["name"]


def _uses_the_database(item) -> bool:
    """A pytest test that asks for the database, or a method of Django's TransactionTestCase or TestCase (their
    `databases` name one; SimpleTestCase's is empty), such as the browser tests: run alone, they need one too."""
    if item.get_closest_marker("django_db") is not None or not DATABASE_FIXTURES.isdisjoint(item.fixturenames):
        return True
    return bool(getattr(getattr(item, "cls", None), "databases", None))


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    """pytest-django's fixture of the same name, with the xdist workers' databases cloned from one template."""
    from django.db import connection

    verbosity = request.config.option.verbose
    keepdb = django_db_keepdb and not django_db_createdb
    workerinput = getattr(request.config, "workerinput", {})
    worker, folder = workerinput.get("workerid"), workerinput.get(TEMPLATE_DIR)
    if not any(_uses_the_database(item) for item in request.session.items):
        yield  # as pytest-django: no database for a run none of whose tests asks for one
        return
    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        if worker and folder and not keepdb:
            _cloned(Path(folder), worker, verbosity)
        else:
            if worker:  # --reuse-db: the worker's own database, as the last run left it
                _point_at(f"{connection.settings_dict['TEST']['NAME']}_{worker}")
            connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False, keepdb=keepdb)
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            try:
                connection.creation.destroy_test_db(old_database_name=original, verbosity=verbosity)
            except Exception as refused:  # noqa: BLE001  as pytest-django: a session a test left open, say
                request.node.warn(pytest.PytestWarning(f"The test database was not dropped: {refused!r}"))
