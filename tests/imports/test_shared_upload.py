"""The console's import keeps the previewed file where every web process reads it (issue 46, point 8): the cache
(Redis in production), not one process's temporary folder, so "Confirm import" may reach another process. A file
that waited too long, or a name that is not one of the previews, is said plainly and stores nothing."""

import json
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from agents.import_files import ImportRefused
from agents.import_storage import CACHE_PREFIX, SharedUploadStorage, UploadGone
from agents.models import Campaign
from tests.imports.conftest import csv_text
from tests.imports.test_admin import CAMPAIGNS, CONFIRM, IMPORT, confirm_fields, upload
from tests.workers import process_database_url, process_environment


def preview(client) -> dict:
    html = upload(client, IMPORT, csv_text(CAMPAIGNS, "Brand,google,active,40.00")).content.decode()
    assert "Confirm import" in html
    return confirm_fields(html)


def test_the_preview_keeps_the_file_in_the_cache_not_a_process_folder(console_as, tenant_admin):
    fields = preview(console_as(tenant_admin))
    name = fields["import_file_name"]
    assert "/" not in name and cache.get(CACHE_PREFIX + name) is not None
    assert SharedUploadStorage(name=name, read_mode="r", encoding="utf-8-sig").read().startswith(CAMPAIGNS)


def test_a_confirmed_import_removes_its_file(console_as, tenant_admin):
    client = console_as(tenant_admin)
    fields = preview(client)
    assert client.post(CONFIRM, fields).status_code == 302
    assert Campaign.objects.filter(name="Brand").exists()
    assert cache.get(CACHE_PREFIX + fields["import_file_name"]) is None


@pytest.mark.parametrize("name", ["../../../etc/passwd", "x" * 40, "0123456789abcdef0123456789abcdeg"])
def test_a_name_that_is_no_preview_is_refused_plainly(console_as, tenant_admin, name):
    client = console_as(tenant_admin)
    fields = {**preview(client), "import_file_name": name}
    response = client.post(CONFIRM, fields, follow=True)
    assert response.status_code == 200 and "Upload it again" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_file_that_waited_too_long_is_said_plainly(console_as, tenant_admin):
    client = console_as(tenant_admin)
    fields = preview(client)
    cache.delete(CACHE_PREFIX + fields["import_file_name"])  # expired, or evicted
    response = client.post(CONFIRM, fields, follow=True)
    assert response.status_code == 200 and "Upload it again" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_file_is_kept_only_for_its_window(settings):
    """On a cache whose clock the test moves (Redis keeps its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.IMPORT_UPLOAD_SECONDS = 600
    storage = SharedUploadStorage(read_mode="r", encoding="utf-8-sig")
    storage.save(b"name\nBrand\n")
    with time_machine.travel(timezone.now() + timedelta(seconds=599)):
        assert storage.read() == "name\nBrand\n"
    with time_machine.travel(timezone.now() + timedelta(seconds=601)), pytest.raises(UploadGone):
        storage.read()


def test_a_file_over_the_import_limit_is_not_kept(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ImportRefused):
        SharedUploadStorage(read_mode="r").save(b"name\n" + b"x" * 20)


CONFIRM_ELSEWHERE = """
import json, sys
import django
django.setup()
from django.test import Client
from tenants.models import User
client = Client()
client.force_login(User.objects.get(email=sys.argv[1]))
response = client.post(sys.argv[2], json.loads(sys.argv[3]))
print(response.status_code)
"""


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres("another process reads the test database")
def test_another_process_confirms_what_this_one_previewed(console_as, tenant_admin, live_db, tmp_path):
    """Two web processes without affinity (the Kubernetes manifests run at least two): the confirm lands on a
    process that did not see the upload, and the file is there."""
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        pytest.skip("needs the shared cache (REDIS_URL); CI sets it")
    fields = preview(console_as(tenant_admin))
    done = subprocess.run(
        [sys.executable, "-c", CONFIRM_ELSEWHERE, tenant_admin.email, CONFIRM, json.dumps(fields)],
        # its own temporary folder, as each pod has its own /tmp
        env=process_environment(DATABASE_URL=process_database_url(), ALLOWED_HOSTS="testserver", TMPDIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "302"
    assert Campaign.objects.get(name="Brand").daily_budget == Decimal("40.00")
