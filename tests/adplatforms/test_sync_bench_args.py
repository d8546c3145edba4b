"""The sync bench (bench/ad_sync_bench.py) is never run by the suite; its arguments and the figures its fake makes
are checked here, so it still starts and measures the same thing."""

from datetime import date

import pytest

from adplatforms.simulator.google import Campaign
from bench import ad_sync_bench


def test_sizes_and_a_postgres_database_are_taken():
    args = ad_sync_bench.parse_args(["--sizes", "500,5000", "--database-url", "postgres://u@127.0.0.1:5432/x"])

    assert args.sizes == [500, 5000] and args.days == 90


@pytest.mark.parametrize(
    "argv",
    [
        ["--sizes", "five"],
        ["--sizes", "0"],
        ["--days", "91"],
        ["--database-url", "sqlite:///db.sqlite3"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        ad_sync_bench.parse_args(argv)

    assert exited.value.code == 2 and "error:" in capsys.readouterr().err


def test_the_fake_makes_the_same_figures_every_time_for_the_days_asked():
    campaign = Campaign(id="100001", name="Campaign 00001", budget_id="100001")
    first, last = date(2026, 1, 1), date(2026, 3, 31)

    days = list(ad_sync_bench.figures(campaign, first, last))

    assert len(days) == 90 and days[0].day == first and days[-1].day == last
    assert days == list(ad_sync_bench.figures(campaign, first, last))
    assert days != list(ad_sync_bench.figures(Campaign(id="100002", name="x", budget_id="100002"), first, last))
