"""Meta's usage headers, read on every answer (errors too), as `adplatforms.platform.Usage` reports.

- `x-business-use-case-usage`: JSON keyed by business (or ad account) id, each a list of
  `{type, call_count, total_cputime, total_time, estimated_time_to_regain_access}`; the three figures are
  percentages of the quota, the regain time is in minutes (0 when not throttled). Scope "account".
- `x-ad-account-usage`: `{acc_id_util_pct, reset_time_duration, ads_api_access_tier}`; the reset time is in
  seconds. Scope "account".
- `x-app-usage`: `{call_count, total_cputime, total_time}`, percentages of the app's quota. Scope "app".

A header Meta wrote in a shape we do not know is skipped with a debug line: usage figures are advice for the
limiter, never a reason for a call to fail.
"""

import json
import logging
import math
from decimal import Decimal, InvalidOperation

from adplatforms.platform import Usage

logger = logging.getLogger(__name__)

BUSINESS_USE_CASE = "x-business-use-case-usage"
AD_ACCOUNT = "x-ad-account-usage"
APP = "x-app-usage"

_FIGURES = ("call_count", "total_cputime", "total_time")


def read(headers) -> list[Usage]:
    """Every usage report in `headers` (a case-insensitive mapping such as httpx's)."""
    usages: list[Usage] = []
    for name, parse in ((BUSINESS_USE_CASE, _business_use_case), (AD_ACCOUNT, _ad_account), (APP, _app)):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usages.extend(parse(json.loads(raw, parse_float=Decimal)))
        except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation) as err:
            logger.debug("Ignored Meta's %s header, not in a known shape (%s)", name, err)
    return usages


def regain_seconds(usages: list[Usage]) -> int | None:
    """The longest wait the reports asked for, or None when none named one."""
    waits = [usage.regain_seconds for usage in usages if usage.regain_seconds]
    return max(waits) if waits else None


def _business_use_case(value) -> list[Usage]:
    usages = []
    for entries in _mapping(value).values():
        if not isinstance(entries, list):
            raise TypeError("a business's usage is a list")
        for entry in entries:
            minutes = _number(_mapping(entry).get("estimated_time_to_regain_access", 0))
            usages.append(Usage("account", _percent(entry), math.ceil(minutes * 60) or None))
    return usages


def _ad_account(value) -> list[Usage]:
    value = _mapping(value)
    seconds = _number(value.get("reset_time_duration", 0))
    return [Usage("account", math.ceil(_number(value["acc_id_util_pct"])), math.ceil(seconds) or None)]


def _app(value) -> list[Usage]:
    return [Usage("app", _percent(_mapping(value)), None)]


def _percent(entry: dict) -> int:
    figures = [_number(entry[name]) for name in _FIGURES if name in entry]
    if not figures:
        raise KeyError("none of call_count, total_cputime, total_time")
    return math.ceil(max(figures))


def _mapping(value) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, not {type(value).__name__}")
    return value


def _number(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise TypeError(f"expected a number, not {value!r}")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"expected a number of zero or more, not {value!r}")
    return number
