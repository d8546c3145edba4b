"""`manage.py export_events`: NDJSON files written locally from a day on, a BigQuery backfill until caught up
that never sends a row twice, bad arguments refused with a clear error."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.warehouse.conftest import events, metrics, sent_ids

OLD, NEW = datetime(2026, 10, 1, 12, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=UTC)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_events", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def history(tenant, other_tenant):
    """Events of October and November, of two tenants."""
    with time_machine.travel(OLD, tick=False):
        old = events(tenant, 2)
    with time_machine.travel(NEW, tick=False):
        new = events(tenant, 3) + events(other_tenant, 1)
        metrics(tenant, started_at=NEW)
    return old, new


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def ids(path) -> list[str]:
    return sorted(row["event_id"] for row in lines(path / "platform_events.ndjson"))


def test_ndjson_writes_one_file_per_table_from_the_day_given(history, tmp_path):
    old, new = history
    out, err = run("--to", "ndjson", "--since", "2026-11-01", "--output", str(tmp_path))
    assert ids(tmp_path) == sorted(str(e.pk) for e in new)
    assert len(lines(tmp_path / "conversation_metrics.ndjson")) == 1
    assert lines(tmp_path / "approval_analytics.ndjson") == []
    assert f"{tmp_path / 'platform_events.ndjson'}: 4 rows" in out
    assert "5/5" in err  # the progress bar: four events and one conversation

    run("--to", "ndjson", "--output", str(tmp_path), "--tenant", "acme")  # every day, one tenant
    assert ids(tmp_path) == sorted(str(e.pk) for e in old + new[:3])


def test_bigquery_backfills_until_caught_up_and_since_only_places_a_new_destination(
    history, bigquery_fake, destination, tenant, settings
):
    settings.WAREHOUSE_BACKFILL_BATCH_ROWS = 1  # a load job per row, to see the bar move
    settings.WAREHOUSE_BATCHES_PER_RUN = 1  # the beat run's limit; a backfill goes on until caught up
    old, new = history
    target = destination(tenant)
    out, err = run("--to", "bigquery", "--since", "2026-11-01")
    assert sorted(sent_ids(bigquery_fake)) == sorted(str(e.pk) for e in new[:3])  # the tenant's, from November on
    assert f"{target}: 4 rows sent." in out and "4/4" in err
    assert len(bigquery_fake.loads("platform_events")) == 3  # the backfill's batch size, not the beat's

    with time_machine.travel(NEW + timedelta(hours=1), tick=False):
        more = events(tenant, 1)
    out, _ = run("--to", "bigquery", "--since", "2026-01-01")
    assert f"{target}: platform_events is already under way; --since leaves it where it is." in out
    assert sorted(sent_ids(bigquery_fake)) == sorted(str(e.pk) for e in new[:3] + more)  # once each, no October


def test_bigquery_reports_a_destination_that_failed(bigquery_fake, destination, tenant):
    events(tenant, 1)
    bigquery_fake.fail("GET", "/datasets/walker", 403, "accessDenied")
    destination(tenant)
    with pytest.raises(CommandError, match="Permission denied by BigQuery"):
        run("--to", "bigquery")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--to", "ndjson", "--since", "1 Nov"], "--since must be a date as YYYY-MM-DD, got '1 Nov'."),
        (["--to", "ndjson", "--tenant", "nobody"], "No tenant with slug 'nobody'."),
        (["--to", "bigquery"], "No enabled BigQuery destination: add one in the console"),
        (["--to", "bigquery", "--destination", "x"], "--destination must be a destination's id, got 'x'."),
        (
            ["--to", "bigquery", "--destination", "6f1c1b1e-0000-4000-8000-000000000000"],
            "No enabled destination with id",
        ),
        (["--to", "csv"], "invalid choice: 'csv'"),
    ],
)
def test_bad_arguments_are_refused_clearly(db, args, error):
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        run(*args)
