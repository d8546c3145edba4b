"""`manage.py sync_ad_platforms`: a progress bar, a line per connection with its outcome, exit 1 when any failed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from adplatforms import errors
from adplatforms.models import AdConnection, SyncRun
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("sync_ad_platforms", *args, stdout=out, stderr=err)
    except CommandError as failed:
        return out.getvalue(), err.getvalue(), failed
    return out.getvalue(), err.getvalue(), None


def test_every_usable_connection_is_synced_with_a_line_each(tenant, make_connection, accounts):
    make_connection(tenant, account_id="1111111111")
    make_connection(tenant, account_id="2222222222", state="disabled")  # disconnected: left out
    out, err, failed = run()

    assert failed is None
    assert "acme: Google Ads 1111111111: 0 campaigns, 0 campaign days" in out
    assert "), 0 changes made outside Walker" in out
    assert "2222222222" not in out
    assert "100%" in err  # the progress bar


def test_a_failure_is_named_and_the_exit_status_is_1(tenant, make_connection, accounts):
    make_connection(tenant, account_id="1111111111")
    bad = make_connection(tenant, account_id="2222222222")
    AdConnection.objects.filter(pk=bad.pk).update(
        state="paused_quota", paused_until=timezone.now() + timedelta(minutes=5)
    )
    make_connection(tenant, account_id="3333333333")
    run()  # makes the in-memory accounts
    accounts["3333333333"].fail_next("account", errors.PermissionDenied("USER_PERMISSION_DENIED"))

    out, _err, failed = run()

    assert failed is not None and failed.returncode == 1 and "2 of 3 connections did not sync" in str(failed)
    assert "1111111111: 0 campaigns" in out
    assert "2222222222: skipped, Paused for quota until" in out
    assert "3333333333: failed, Google Ads refused permission: USER_PERMISSION_DENIED" in out


def test_since_backfills_and_the_tenant_and_connection_filters(tenant, make_connection, accounts):
    other = TenantFactory(slug="globex")
    mine = make_connection(tenant, account_id="1111111111")
    make_connection(other, account_id="2222222222")
    since = timezone.now().date() - timedelta(days=60)

    out, _err, failed = run("--tenant", "acme", "--since", since.isoformat())

    assert failed is None and "2222222222" not in out
    assert SyncRun.objects.get(connection=mine).first_day == since
    out, _err, _failed = run("--connection", str(mine.pk))
    assert out.count("\n") == 1 and "1111111111" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--since", "yesterday"], "--since must be a date as YYYY-MM-DD"),
        (["--tenant", "nobody"], "No tenant with slug 'nobody'"),
        (["--connection", "not-an-id"], "No connection with id 'not-an-id'"),
        (["--connection", "00000000-0000-0000-0000-000000000000"], "No connection with id"),
    ],
)
def test_bad_arguments_get_a_clear_error(tenant, args, words):
    _out, _err, failed = run(*args)
    assert failed is not None and words in str(failed)
