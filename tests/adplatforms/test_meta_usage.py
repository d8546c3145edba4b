"""Meta's three usage headers read as Usage reports; anything else is skipped, never an error."""

import json

import httpx
import pytest

from adplatforms.meta import usage
from adplatforms.platform import Usage


def read(**headers):
    return usage.read(httpx.Headers({name.replace("_", "-"): value for name, value in headers.items()}))


def test_each_business_use_case_is_one_report_with_its_highest_figure_and_wait_in_seconds():
    header = {
        "111": [
            {
                "type": "ads_management",
                "call_count": 28,
                "total_cputime": 95,
                "total_time": 40,
                "estimated_time_to_regain_access": 0,
            },
            {
                "type": "ads_insights",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 20,
                "estimated_time_to_regain_access": 7,
            },
        ],
        "222": [{"type": "custom_audience", "call_count": 5, "total_cputime": 1, "total_time": 1}],
    }
    usages = read(x_business_use_case_usage=json.dumps(header))
    assert usages == [Usage("account", 95, None), Usage("account", 100, 420), Usage("account", 5, None)]
    assert usage.regain_seconds(usages) == 420


def test_the_ad_account_header_rounds_up_and_gives_its_reset_time():
    header = '{"acc_id_util_pct": 9.67, "reset_time_duration": 45, "ads_api_access_tier": "standard_access"}'
    assert read(x_ad_account_usage=header) == [Usage("account", 10, 45)]


def test_the_app_header_is_the_apps():
    assert read(x_app_usage='{"call_count": 12, "total_cputime": 30, "total_time": 2}') == [Usage("app", 30, None)]


def test_no_headers_no_reports():
    assert read() == []
    assert usage.regain_seconds([]) is None


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        "[1, 2]",
        '{"111": {"type": "ads_management"}}',
        '{"111": [{"type": "ads_management"}]}',
        '{"111": [{"call_count": "many"}]}',
        '{"111": [{"call_count": -3}]}',
        '{"111": [{"call_count": true}]}',
        '{"111": [{"call_count": 5, "estimated_time_to_regain_access": null}]}',
    ],
)
def test_a_business_header_in_another_shape_is_skipped_and_the_others_still_read(value, caplog):
    with caplog.at_level("DEBUG", logger="adplatforms.meta.usage"):
        usages = read(x_business_use_case_usage=value, x_app_usage='{"call_count": 3}')
    assert usages == [Usage("app", 3, None)]
    assert "x-business-use-case-usage" in caplog.text


@pytest.mark.parametrize("value", ['{"reset_time_duration": 5}', '{"acc_id_util_pct": "NaN"}', "{}", '"text"'])
def test_an_ad_account_header_in_another_shape_is_skipped(value):
    assert read(x_ad_account_usage=value) == []
