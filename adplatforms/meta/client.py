"""`MetaAdsClient`: one Meta ad account through the Graph API, keeping `adplatforms.platform.AdPlatformClient`.

What Walker reads, and how it reads Meta's words:

- Campaign `status` ACTIVE -> active, PAUSED -> paused, DELETED and ARCHIVED -> removed; `effective_status`
  (e.g. CAMPAIGN_PAUSED, IN_PROCESS, WITH_ISSUES) is kept as Meta wrote it.
- Budgets are Meta's integer units (money.meta_offset: cents for USD, yen for JPY) and the campaign is its own
  budget (`budget_id` is the campaign id). A campaign with a `daily_budget` has campaign budget optimisation;
  one with only a `lifetime_budget` has budget level "campaign" and no daily units (Walker does not change
  lifetime budgets, and refuses to); one with neither ("0" or absent) keeps its budgets on its ad sets:
  budget level "ad_set", no units, and Walker refuses to set a campaign budget on it.
- Conversions are purchases of one family only, so nothing is counted twice: Meta reports the same purchase
  under several action types at once (`omni_purchase` is the deduplicated total over website, app and offline,
  `purchase` and `offsite_conversion.fb_pixel_purchase` parts of it). Each row counts the first of
  `PURCHASE_TYPES` it has, in `actions` for the count and `action_values` for the value.
- Its change history is the account's `activities` edge: the budget and run status events of campaigns and of ad
  sets, whose `extra_data` (a JSON string) holds the old and new value (budgets in Meta's units, statuses as Meta's
  words). An ad set's event is its campaign's change (`ad_set` names the ad set), the campaign read from the ad set
  once per listing. An event whose values Walker cannot read is left out and logged.
- Writes answer `{"success": true}` whether or not the change holds (validation only, a change Meta adjusts):
  the executor reads the campaign back; this client never takes success for applied.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import wraps

import httpx

from adplatforms import errors
from adplatforms.meta import ids
from adplatforms.meta.graph import Graph
from adplatforms.meta.insights import Insights
from adplatforms.platform import (
    Account,
    AccountDay,
    BudgetLevel,
    CampaignDay,
    CampaignStatus,
    RemoteCampaign,
    RemoteChange,
    UsageObserver,
)

logger = logging.getLogger(__name__)

ACCOUNT_FIELDS = "name,currency,timezone_name,account_status"
CAMPAIGN_FIELDS = "id,name,status,effective_status,daily_budget,lifetime_budget,budget_remaining"
CAMPAIGN_DAY_FIELDS = ["campaign_id", "impressions", "clicks", "spend", "actions", "action_values", "date_start"]
ACCOUNT_DAY_FIELDS = ["impressions", "clicks", "spend", "actions", "action_values", "date_start"]
ACTIVITY_FIELDS = "event_type,event_time,extra_data,actor_name,application_id,application_name,object_id,object_name"
CHANGE_EVENTS = {
    "update_campaign_budget": "daily_budget",
    "update_campaign_run_status": "status",
    "update_ad_set_budget": "daily_budget",
    "update_ad_set_run_status": "status",
}
CAMPAIGN_PAGE_SIZE = 100
PURCHASE_TYPES = ("omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase")

STATUS_FROM_META = {
    "ACTIVE": CampaignStatus.ACTIVE,
    "PAUSED": CampaignStatus.PAUSED,
    "DELETED": CampaignStatus.REMOVED,
    "ARCHIVED": CampaignStatus.REMOVED,
}
STATUS_TO_META = {CampaignStatus.ACTIVE: "ACTIVE", CampaignStatus.PAUSED: "PAUSED"}
# account_status values of an account nothing can be done with (marketing-api/reference/ad-account).
UNUSABLE_ACCOUNT = {2: "disabled", 101: "closed"}

REPORT_TIMEOUT = 120.0  # seconds an insights report job may take before the sync gives up until next time
POLL_INTERVAL = 1.0  # first wait between polls of a report job, doubling to 10 s


def _reading(what: str):
    """Meta's answer parsed by the decorated function; an answer in another shape is `Unavailable`."""

    def decorate(parse):
        @wraps(parse)
        def wrapper(*args, **kwargs):
            try:
                return parse(*args, **kwargs)
            except (KeyError, TypeError, ValueError, InvalidOperation) as err:
                raise errors.Unavailable(f"Meta answered {what} in a shape Walker does not read: {err!r}") from err

        return wrapper

    return decorate


class MetaAdsClient:
    platform = "meta"

    def __init__(
        self,
        connection,
        *,
        on_usage: UsageObserver | None = None,
        http: httpx.Client | None = None,
        report_timeout: float = REPORT_TIMEOUT,
        poll_interval: float = POLL_INTERVAL,
    ):
        if not connection.access_token:
            raise errors.AuthorizationExpired(
                "This Meta connection has no access token. Connect the account again.", code="no_token"
            )
        try:
            self.account_id = ids.account_id(connection.account_id)
        except ids.InvalidMetaId as err:
            raise errors.InvalidRequest(str(err)) from err
        self.currency = (connection.currency or "").upper()
        self.app_id = connection.app_id
        self.graph = Graph(connection.access_token, http=http, on_usage=on_usage)
        self.insights = Insights(
            self.graph, self.account_id, report_timeout=report_timeout, poll_interval=poll_interval
        )

    # --- reads ------------------------------------------------------------------------

    def account(self) -> Account:
        account = _account(self.account_id, self.graph.get(self.account_id, {"fields": ACCOUNT_FIELDS}))
        self.currency = account.currency
        return account

    def campaigns(self) -> Iterator[RemoteCampaign]:
        currency = self._currency()
        params = {"fields": CAMPAIGN_FIELDS, "limit": CAMPAIGN_PAGE_SIZE}
        for row in self.graph.pages(f"{self.account_id}/campaigns", params):
            yield _campaign(row, currency)

    def campaign(self, external_id: str) -> RemoteCampaign:
        row = self.graph.get(_object(external_id), {"fields": f"{CAMPAIGN_FIELDS},account_id"})
        if f"act_{row.get('account_id')}" != self.account_id:
            raise errors.NotFound(f"Campaign {external_id} is not in Meta ad account {self.account_id}")
        return _campaign(row, self._currency())

    def campaign_days(self, first: date, last: date) -> Iterator[CampaignDay]:
        for row in self.insights.daily("campaign", CAMPAIGN_DAY_FIELDS, first, last):
            yield _campaign_day(row)

    def account_days(self, first: date, last: date) -> Iterator[AccountDay]:
        for row in self.insights.daily("account", ACCOUNT_DAY_FIELDS, first, last):
            yield _account_day(row)

    def changes(self, since: datetime, until: datetime) -> Iterator[RemoteChange]:
        params = {
            "fields": ACTIVITY_FIELDS,
            "since": int(since.timestamp()),
            "until": int(until.timestamp()),
            "limit": CAMPAIGN_PAGE_SIZE,
        }
        campaign_of: dict[str, str] = {}  # ad set id -> its campaign's id
        for row in self.graph.pages(f"{self.account_id}/activities", params):
            if row.get("event_type") not in CHANGE_EVENTS:
                continue
            try:
                change = _change(row, self.app_id)
            except (KeyError, TypeError, ValueError, InvalidOperation) as err:
                logger.warning("meta %s: activity %s left out, its values unread: %r", self.account_id, row, err)
                continue
            if row["event_type"].startswith("update_ad_set_"):
                ad_set = change.campaign_external_id
                if ad_set not in campaign_of:
                    campaign_of[ad_set] = self._campaign_of(ad_set)
                if not campaign_of[ad_set]:
                    continue
                name = row.get("object_name") or ""
                change = replace(
                    change, campaign_external_id=campaign_of[ad_set], ad_set=f"{name} ({ad_set})" if name else ad_set
                )
            yield change

    def _campaign_of(self, ad_set: str) -> str:
        """The campaign of an ad set an activity names; "" (and logged) for one Meta no longer has: its changes
        cannot be told apart from the rest of the account's, and the listing goes on without them."""
        try:
            return str(self.graph.get(ad_set, {"fields": "campaign_id"}).get("campaign_id", ""))
        except errors.NotFound:
            logger.warning("meta %s: ad set %s is gone; its activities are left out", self.account_id, ad_set)
            return ""

    # --- writes -----------------------------------------------------------------------

    def set_daily_budget(self, campaign: RemoteCampaign, units: int, *, validate_only: bool = False) -> None:
        if campaign.budget_level == BudgetLevel.AD_SET:
            raise errors.InvalidRequest("The budget of this Meta campaign lives on its ad sets", code="ad_set_budget")
        if campaign.daily_budget_units is None:
            raise errors.InvalidRequest(
                "This Meta campaign has a lifetime budget; Walker changes daily budgets only", code="lifetime_budget"
            )
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise errors.InvalidRequest(f"A daily budget is a whole number of Meta units above 0, not {units!r}")
        self._write(campaign, {"daily_budget": str(units)}, validate_only)

    def set_status(self, campaign: RemoteCampaign, status: str, *, validate_only: bool = False) -> None:
        if status not in STATUS_TO_META:
            raise errors.InvalidRequest(f"Walker sets Meta campaigns active or paused, not {status!r}")
        self._write(campaign, {"status": STATUS_TO_META[status]}, validate_only)

    def _write(self, campaign: RemoteCampaign, changes: dict, validate_only: bool) -> None:
        if validate_only:
            changes = {**changes, "execution_options": json.dumps(["validate_only"])}
        answer = self.graph.post(_object(campaign.external_id), changes)
        if answer.get("success") is not True:
            raise errors.Unavailable(
                f"Meta did not confirm the change to campaign {campaign.external_id}; read it back", code="unconfirmed"
            )

    def _currency(self) -> str:
        return self.currency or self.account().currency


def _object(external_id: str) -> str:
    try:
        return ids.object_id(external_id)
    except ids.InvalidMetaId as err:
        raise errors.InvalidRequest(str(err)) from err


@_reading("the ad account")
def _account(account_id: str, row: dict) -> Account:
    status = int(row["account_status"])
    if status in UNUSABLE_ACCOUNT:
        raise errors.PermissionDenied(
            f"Meta has {UNUSABLE_ACCOUNT[status]} ad account {account_id} (account status {status})",
            code=f"account_status_{status}",
        )
    return Account(
        account_id=account_id, name=row["name"], currency=row["currency"].upper(), time_zone=row["timezone_name"]
    )


@_reading("a campaign")
def _campaign(row: dict, currency: str) -> RemoteCampaign:
    status = row["status"]
    daily, lifetime = _units(row.get("daily_budget")), _units(row.get("lifetime_budget"))
    return RemoteCampaign(
        external_id=ids.object_id(row["id"]),
        name=row["name"],
        status=STATUS_FROM_META[status],
        effective_status=row.get("effective_status") or status,
        daily_budget_units=daily,
        currency=currency,
        budget_id=row["id"],
        budget_level=BudgetLevel.CAMPAIGN if daily or lifetime else BudgetLevel.AD_SET,
    )


# A run status as the activity log writes it (Meta's enum, or the word Ads Manager shows), in Walker's words.
_RUN_STATUS = {"active": CampaignStatus.ACTIVE, "paused": CampaignStatus.PAUSED, "deleted": CampaignStatus.REMOVED,
               "archived": CampaignStatus.REMOVED}  # fmt: skip


def _change(row: dict, app_id: str) -> RemoteChange:
    field = CHANGE_EVENTS[row["event_type"]]
    extra = json.loads(row["extra_data"]) if isinstance(row["extra_data"], str) else row["extra_data"]
    at = datetime.strptime(row["event_time"], "%Y-%m-%dT%H:%M:%S%z")
    values = {}
    if field == "daily_budget":
        values = {"before_units": _whole(extra["old_value"]), "after_units": _whole(extra["new_value"])}
    else:
        values = {
            "before_status": _RUN_STATUS[str(extra["old_value"]).lower()],
            "after_status": _RUN_STATUS[str(extra["new_value"]).lower()],
        }
    application = str(row.get("application_id") or "")
    return RemoteChange(
        key=f"{row['event_type']}:{row['object_id']}:{row['event_time']}",
        at=at,
        field=field,
        campaign_external_id=ids.object_id(row["object_id"]),
        actor=row.get("actor_name") or "",
        tool=row.get("application_name") or "",
        through_api=bool(app_id) and application == app_id,
        **values,
    )


@_reading("a day of a campaign")
def _campaign_day(row: dict) -> CampaignDay:
    conversions, value = _purchases(row)
    return CampaignDay(
        campaign_external_id=ids.object_id(row["campaign_id"]),
        day=date.fromisoformat(row["date_start"]),
        impressions=_whole(row.get("impressions", 0)),
        clicks=_whole(row.get("clicks", 0)),
        cost=_decimal(row.get("spend", 0)),
        conversions=conversions,
        conversion_value=value,
    )


@_reading("a day of the account")
def _account_day(row: dict) -> AccountDay:
    conversions, value = _purchases(row)
    return AccountDay(
        day=date.fromisoformat(row["date_start"]),
        impressions=_whole(row.get("impressions", 0)),
        clicks=_whole(row.get("clicks", 0)),
        cost=_decimal(row.get("spend", 0)),
        conversions=conversions,
        conversion_value=value,
    )


def _purchases(row: dict) -> tuple[Decimal, Decimal]:
    counts = {action["action_type"]: _decimal(action["value"]) for action in row.get("actions") or []}
    values = {action["action_type"]: _decimal(action["value"]) for action in row.get("action_values") or []}
    kind = next((kind for kind in PURCHASE_TYPES if kind in counts or kind in values), None)
    return counts.get(kind, Decimal(0)), values.get(kind, Decimal(0))


def _units(value) -> int | None:
    """A budget in Meta's units ("70000"), None when unset (absent, empty or "0")."""
    units = _whole(value) if value not in (None, "") else 0
    return units or None


def _whole(value) -> int:
    number = _decimal(value)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"expected a whole number of zero or more, not {value!r}")
    return int(number)


def _decimal(value) -> Decimal:
    """Meta's figures arrive as strings ("12.34"), or as JSON numbers read without floats."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TypeError(f"expected a number, not {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"expected a finite number, not {value!r}")
    return number
