import shutil
from urllib.parse import quote

import pytest
from django.db import connection

from tests.faults.harness import RedisServer
from tests.prodshape.shape import Shape, recreate_database
from tests.template_database import migrated_template


@pytest.fixture(scope="module")
def shape(tmp_path_factory, request):
    """`bin/run-prod-shape` once for the module, on a database and a Redis server of its own, with the demo tenant
    seeded; stopped with Ctrl-C (SIGINT) at the end, which must stop it cleanly.

    The database is a copy of the run's migrated template when there is one, so the script's `migrate` finds
    nothing to do (migrating a new PostgreSQL database is what made that template); without one, it is empty."""
    if shutil.which("nginx") is None and shutil.which("/usr/sbin/nginx") is None:
        pytest.skip("the production shape needs Debian's nginx: `make nginx` installs it (as root)")
    if shutil.which("redis-server") is None:
        pytest.skip("the production shape needs the redis-server program, to run a Redis of its own")
    server = dict(connection.settings_dict)
    name = f"{server['NAME']}_shape"
    login = f"{server['USER']}:{quote(server['PASSWORD'], safe='')}" if server.get("PASSWORD") else server["USER"]
    directory = tmp_path_factory.mktemp("prod-shape")
    with migrated_template(request.config) as template:
        recreate_database(server, name, template=template)
    redis = RedisServer(directory / "redis.log")
    running = Shape.environment(
        directory, f"postgres://{login}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{name}", redis.url
    )
    try:
        redis.wait_ready()
        running.start()
        running.manage("seed_demo")
        yield running
        assert running.stop() == 130, f"Ctrl-C did not stop the shape cleanly:\n{running.logs()}"
    finally:
        running.stop()
        print(running.logs())  # shown when a test failed
        redis.close()
        recreate_database(server, name, drop_only=True)
