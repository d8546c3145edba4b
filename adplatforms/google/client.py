"""The Google Ads API over REST (JSON over HTTPS with httpx), keeping adplatforms.platform.AdPlatformClient.

Reads are GAQL (adplatforms.google.queries): the daily figures through `googleAds:searchStream` (one answer, a
JSON array of batches), everything else through the paged `googleAds:search` (an expired page token raises
ExpiredPageToken and the caller starts the listing over). Writes are `campaignBudgets:mutate` and
`campaigns:mutate` with an update mask of the one field written. Google's JSON writes int64 as strings and
doubles as numbers: both are read exactly (integers with int(), numbers with `parse_float=Decimal`).
Google Ads reports no quota usage on its answers, so `on_usage` is never called; its quotas surface as
RateLimited.
"""

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from django.conf import settings

from adplatforms import errors, money
from adplatforms.google import credentials, ids, queries, recommendations
from adplatforms.google import errors as google_errors
from adplatforms.google.oauth import TokenSource
from adplatforms.platform import (
    Account,
    AccountDay,
    CampaignDay,
    CampaignStatus,
    RemoteCampaign,
    RemoteChange,
    RemoteRecommendation,
    UsageObserver,
)

logger = logging.getLogger(__name__)

# Campaign.status (CampaignStatusEnum) in Walker's words. A value this version of Walker does not know
# (UNKNOWN) reads as paused: Walker claims nothing serves that it cannot name; the platform's own word is kept
# in effective_status.
_STATUS = {"ENABLED": CampaignStatus.ACTIVE, "PAUSED": CampaignStatus.PAUSED, "REMOVED": CampaignStatus.REMOVED}
_WRITABLE_STATUS = {CampaignStatus.ACTIVE: "ENABLED", CampaignStatus.PAUSED: "PAUSED"}


class GoogleAdsClient:
    """One Google Ads customer account, reached with its connection's developer token and OAuth client."""

    platform = "google"

    def __init__(self, connection, *, on_usage: UsageObserver | None = None, http: httpx.Client | None = None):
        try:
            self._customer = ids.customer_id(connection.account_id)
            self._login_customer = ids.customer_id(connection.login_customer_id) if connection.login_customer_id else ""
        except ids.InvalidCustomerId as err:
            raise errors.InvalidRequest(str(err), code="INVALID_CUSTOMER_ID") from None
        self._developer_token = credentials.developer_token(connection)
        client_secret = credentials.client_secret(connection)
        self._http = http or httpx.Client(timeout=settings.AD_PLATFORM_TIMEOUT)
        self._tokens = TokenSource(
            self._http,
            client_id=connection.client_id,
            client_secret=client_secret,
            refresh_token=connection.refresh_token,
        )
        self._secrets = (self._developer_token, client_secret, connection.refresh_token)
        self._currency = connection.currency
        self._time_zone = connection.time_zone
        self._base = f"{settings.GOOGLE_ADS_API_URL}/{settings.GOOGLE_ADS_API_VERSION}/customers/{self._customer}"

    # --- reads ----------------------------------------------------------------------------

    def account(self) -> Account:
        rows = list(self._search(queries.ACCOUNT))
        if not rows:
            raise errors.NotFound(f"Google Ads has no customer {self._customer}", code="CUSTOMER_NOT_FOUND")
        customer = rows[0].get("customer") or {}
        self._currency = customer.get("currencyCode", "")
        self._time_zone = customer.get("timeZone", "")
        return Account(
            account_id=str(customer.get("id", self._customer)),
            name=customer.get("descriptiveName", ""),
            currency=self._currency,
            time_zone=customer.get("timeZone", ""),
        )

    def campaigns(self) -> Iterator[RemoteCampaign]:
        rows = list(self._search(queries.CAMPAIGNS))
        on_budget = defaultdict(list)
        for row in rows:
            if _status(row) != CampaignStatus.REMOVED:
                on_budget[_budget(row).get("resourceName", "")].append(_campaign_id(row))
        currency = self._account_currency()
        for row in rows:
            yield _remote(row, currency, on_budget[_budget(row).get("resourceName", "")])

    def campaign(self, external_id: str) -> RemoteCampaign:
        query = queries.campaign(external_id)
        currency = self._account_currency()
        rows = list(self._search(query))
        if not rows:
            raise errors.NotFound(
                f"Google Ads has no campaign {external_id} in account {self._customer}", code="RESOURCE_NOT_FOUND"
            )
        row = rows[0]
        budget = _budget(row)
        sharing = []
        if _is_shared(budget):
            sharing = [
                _campaign_id(other)
                for other in self._search(queries.campaigns_on_budget(budget["resourceName"]))
                if _status(other) != CampaignStatus.REMOVED
            ]
        return _remote(row, currency, sharing)

    def campaign_days(self, first: date, last: date) -> Iterator[CampaignDay]:
        currency = self._account_currency()
        for row in self._stream(queries.campaign_days(first, last)):
            metrics = row.get("metrics") or {}
            yield CampaignDay(
                campaign_external_id=_campaign_id(row),
                day=date.fromisoformat(row["segments"]["date"]),
                impressions=_int(metrics.get("impressions")),
                clicks=_int(metrics.get("clicks")),
                cost=money.from_micros(_int(metrics.get("costMicros")), currency),
                conversions=_decimal(metrics.get("conversions")),
                conversion_value=_decimal(metrics.get("conversionsValue")),
            )

    def account_days(self, first: date, last: date) -> Iterator[AccountDay]:
        currency = self._account_currency()
        for row in self._stream(queries.account_days(first, last)):
            metrics = row.get("metrics") or {}
            yield AccountDay(
                day=date.fromisoformat(row["segments"]["date"]),
                impressions=_int(metrics.get("impressions")),
                clicks=_int(metrics.get("clicks")),
                cost=money.from_micros(_int(metrics.get("costMicros")), currency),
                conversions=_decimal(metrics.get("conversions")),
                conversion_value=_decimal(metrics.get("conversionsValue")),
            )

    def changes(self, since: datetime, until: datetime) -> Iterator[RemoteChange]:
        """Budget amounts and campaign statuses changed (`change_event`, updates only), oldest first. Google gives
        at most CHANGE_LIMIT rows a query: a full answer is followed by the next query from its last time on, as
        Google advises; an event read twice at that edge is given once."""
        zone = self._zone()
        # The query names whole seconds: the end is rounded up, so a change within its last second is read.
        first = since.astimezone(zone).replace(tzinfo=None, microsecond=0)
        last = (until + timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None, microsecond=0)
        given = set()
        while True:
            rows = list(self._search(queries.change_events(first, last)))
            for row in rows:
                for change in _changes(row.get("changeEvent") or {}, zone):
                    if change.key not in given:
                        given.add(change.key)
                        yield change
            if len(rows) < queries.CHANGE_LIMIT:
                return
            newest = _local_time((rows[-1].get("changeEvent") or {}).get("changeDateTime", ""))
            if newest <= first:  # a whole answer within one instant: nothing later can be asked for
                return
            first = newest

    def recommendations(self) -> Iterator[RemoteRecommendation]:
        """The recommendations Google offers now, of the types Walker reads (adplatforms.google.recommendations)."""
        currency = self._account_currency()
        for row in self._search(recommendations.LISTING):
            if (rec := recommendations.read(row, currency)) is not None:
                yield rec

    def recommendation(self, resource_name: str) -> RemoteRecommendation | None:
        """One recommendation read live; None when Google no longer offers it (applied, dismissed, expired)."""
        currency = self._account_currency()
        self._own(resource_name)
        for row in self._search(recommendations.one(resource_name)):
            if (rec := recommendations.read(row, currency)) is not None:
                return rec
        return None

    # --- writes ---------------------------------------------------------------------------

    def apply_recommendation(self, rec: RemoteRecommendation) -> None:
        """`recommendations:apply`, all or nothing, with the values of `rec` (no validateOnly exists for it)."""
        self._own(rec.resource_name)
        answer = self._json(
            self._post(
                "recommendations:apply",
                {"operations": [recommendations.apply_operation(rec)], "partialFailure": False},
            )
        )
        logger.info("google ads %s: applied %s", self._customer, _named(answer, rec.resource_name))

    def validate_recommendation(self, rec: RemoteRecommendation) -> None:
        """Google checks, changing nothing, the mutate that applying a keyword or bidding recommendation amounts to
        (`validateOnly`; `recommendations:apply` has none); a refusal raises as any other."""
        self._own(rec.resource_name)
        method, operation = recommendations.validation(rec, self._customer)
        self._json(self._post(method, {"operations": [operation], "validateOnly": True}))
        logger.info("google ads %s: %s validated, nothing written", self._customer, rec.resource_name)

    def dismiss_recommendation(self, resource_name: str) -> None:
        self._own(resource_name)
        answer = self._json(
            self._post(
                "recommendations:dismiss", {"operations": [{"resourceName": resource_name}], "partialFailure": False}
            )
        )
        logger.info("google ads %s: dismissed %s", self._customer, _named(answer, resource_name))

    def _own(self, resource_name: str) -> None:
        """Refuse, before sending, a recommendation of another customer than this connection's."""
        if not str(resource_name).startswith(f"customers/{self._customer}/recommendations/"):
            raise errors.InvalidRequest(
                f"{resource_name!r} is not a recommendation of account {self._customer}", code="INVALID_ID"
            )

    def set_daily_budget(self, campaign: RemoteCampaign, units: int, *, validate_only: bool = False) -> None:
        if not campaign.budget_id:
            raise errors.InvalidRequest(
                f"Campaign {campaign.external_id} has no Google Ads budget to change", code="NO_BUDGET"
            )
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise errors.InvalidRequest(f"A daily budget is a positive number of micros, not {units!r}", code="UNITS")
        resource = f"customers/{self._customer}/campaignBudgets/{queries.digits(campaign.budget_id)}"
        answer = self._mutate(
            "campaignBudgets:mutate",
            {"resourceName": resource, "amountMicros": str(units)},
            "amount_micros",
            validate_only,
        )
        self._log_written(answer, "campaignBudget", "amountMicros", validate_only)

    def set_status(self, campaign: RemoteCampaign, status: str, *, validate_only: bool = False) -> None:
        if status not in _WRITABLE_STATUS:
            raise errors.InvalidRequest(f"Walker sets a campaign active or paused, not {status!r}", code="STATUS")
        resource = f"customers/{self._customer}/campaigns/{queries.digits(campaign.external_id)}"
        answer = self._mutate(
            "campaigns:mutate", {"resourceName": resource, "status": _WRITABLE_STATUS[status]}, "status", validate_only
        )
        self._log_written(answer, "campaign", "status", validate_only)

    # --- HTTP -----------------------------------------------------------------------------

    def _mutate(self, method: str, update: dict, mask: str, validate_only: bool) -> dict:
        return self._json(
            self._post(
                method,
                {
                    "operations": [{"update": update, "updateMask": mask}],
                    "validateOnly": validate_only,
                    "responseContentType": "MUTABLE_RESOURCE",
                },
            )
        )

    def _search(self, query: str) -> Iterator[dict]:
        """Every row of a paged `googleAds:search` (Google's pages hold 10,000 rows)."""
        body = {"query": query}
        while True:
            page = self._json(self._post("googleAds:search", body))
            yield from page.get("results") or []
            token = page.get("nextPageToken")
            if not token:
                return
            body = {"query": query, "pageToken": token}

    def _stream(self, query: str) -> Iterator[dict]:
        """Every row of a `googleAds:searchStream`: one answer holding a JSON array of batches."""
        batches = self._json(self._post("googleAds:searchStream", {"query": query}))
        for batch in batches if isinstance(batches, list) else [batches]:
            if "error" in batch:  # a failure after some batches were written
                status = batch["error"]
                raise google_errors.from_status(_int(status.get("code")) or 500, status)
            yield from batch.get("results") or []

    def _post(self, method: str, body: dict) -> httpx.Response:
        token = self._tokens.token()
        response = self._send(method, body, token)
        if response.is_success:
            return response
        error = self._error(response, token)
        if error.code in google_errors.TOKEN_STALE:
            self._tokens.forget(token)  # the access token died before its time: one more try with a new one
            token = self._tokens.token()
            response = self._send(method, body, token)
            if response.is_success:
                return response
            error = self._error(response, token)
        logger.warning("google ads %s %s refused: %s", self._customer, method, error.detail)
        raise error

    def _send(self, method: str, body: dict, token: str) -> httpx.Response:
        started = time.monotonic()
        with errors.unavailable_when_unreachable("Google Ads", settings.AD_PLATFORM_TIMEOUT):
            response = self._http.post(f"{self._base}/{method}", json=body, headers=self._headers(token))
        logger.info(
            "google ads %s %s: HTTP %s in %.0f ms (request %s)",
            self._customer,
            method,
            response.status_code,
            (time.monotonic() - started) * 1000,
            response.headers.get("request-id", "-"),
        )
        return response

    def _error(self, response: httpx.Response, token: str) -> errors.PlatformError:
        return google_errors.from_response(response, secrets=(*self._secrets, token))

    def _headers(self, token: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "developer-token": self._developer_token}
        if self._login_customer:
            headers["login-customer-id"] = self._login_customer
        return headers

    def _json(self, response: httpx.Response):
        try:
            return json.loads(response.text, parse_float=Decimal)
        except ValueError:
            raise errors.Unavailable(
                f"Google Ads answered HTTP {response.status_code} with something other than JSON", code="bad_answer"
            ) from None

    def _zone(self) -> ZoneInfo:
        if not self._time_zone:
            self.account()
        try:
            return ZoneInfo(self._time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise errors.InvalidRequest(
                f"the account's time zone {self._time_zone!r} is not one Walker knows"
            ) from None

    def _account_currency(self) -> str:
        """The account's currency (it never changes on Google Ads): the connection's, or read once."""
        if not self._currency:
            self.account()
        return self._currency

    def _log_written(self, answer: dict, resource: str, field: str, validate_only: bool) -> None:
        if validate_only:
            logger.info("google ads %s: %s.%s validated, nothing written", self._customer, resource, field)
            return
        for result in answer.get("results") or []:
            logger.info(
                "google ads %s: %s now reads %s = %s",
                self._customer,
                result.get("resourceName", resource),
                field,
                (result.get(resource) or {}).get(field, "?"),
            )


def _named(answer: dict, fallback: str) -> str:
    return ", ".join(r.get("resourceName", "") for r in answer.get("results") or []) or fallback


def _remote(row: dict, currency: str, sharing: list[str]) -> RemoteCampaign:
    campaign = row.get("campaign") or {}
    budget = _budget(row)
    shared = _is_shared(budget)
    daily = budget.get("period", "DAILY") == "DAILY" and budget.get("amountMicros") is not None
    return RemoteCampaign(
        external_id=_campaign_id(row),
        name=campaign.get("name", ""),
        status=_status(row),
        effective_status=campaign.get("primaryStatus") or campaign.get("servingStatus") or campaign.get("status", ""),
        daily_budget_units=_int(budget["amountMicros"]) if daily else None,
        currency=currency,
        budget_id=str(budget.get("id", "")),
        budget_shared=shared,
        campaigns_sharing_budget=tuple(sorted(sharing, key=int)) if shared else (),
    )


# What a change event's fields are called (its FieldMask, camelCase), for the two Walker follows.
_CHANGED = {"CAMPAIGN_BUDGET": ("campaignBudget", "amountMicros"), "CAMPAIGN": ("campaign", "status")}


def _changes(event: dict, zone: ZoneInfo) -> list[RemoteChange]:
    """The budget or status change in one change event ([] for any other change, or a create or remove)."""
    kind = event.get("changeResourceType", "")
    if kind not in _CHANGED or event.get("resourceChangeOperation") != "UPDATE":
        return []
    resource, name = _CHANGED[kind]
    if name not in str(event.get("changedFields", "")).split(","):
        return []
    old = (event.get("oldResource") or {}).get(resource) or {}
    new = (event.get("newResource") or {}).get(resource) or {}
    changed = event.get("changeResourceName", "")
    common = {
        "key": f"{event.get('resourceName', '')}:{name}",
        "at": _local_time(event.get("changeDateTime", "")).replace(tzinfo=zone).astimezone(UTC),
        "campaign_external_id": event.get("campaign", "").rsplit("/", 1)[-1] if event.get("campaign") else "",
        "actor": event.get("userEmail", ""),
        "tool": event.get("clientType", ""),
        "through_api": event.get("clientType") == "GOOGLE_ADS_API",
    }
    if kind == "CAMPAIGN_BUDGET":
        return [
            RemoteChange(
                field="daily_budget",
                budget_id=changed.rsplit("/", 1)[-1],
                before_units=_int(old.get("amountMicros")),
                after_units=_int(new.get("amountMicros")),
                **common,
            )
        ]
    common["campaign_external_id"] = common["campaign_external_id"] or changed.rsplit("/", 1)[-1]
    return [
        RemoteChange(
            field="status",
            before_status=_STATUS.get(old.get("status", ""), CampaignStatus.PAUSED),
            after_status=_STATUS.get(new.get("status", ""), CampaignStatus.PAUSED),
            **common,
        )
    ]


def _local_time(text: str) -> datetime:
    """Google's change_date_time ("2026-11-27 10:15:30.123456", the account's wall clock), naive."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise errors.Unavailable(f"Google Ads answered a change time Walker does not read: {text!r}") from None


def _budget(row: dict) -> dict:
    return row.get("campaignBudget") or {}


def _is_shared(budget: dict) -> bool:
    return bool(budget.get("explicitlyShared")) or _int(budget.get("referenceCount")) > 1


def _campaign_id(row: dict) -> str:
    return str((row.get("campaign") or {}).get("id", ""))


def _status(row: dict) -> str:
    return _STATUS.get((row.get("campaign") or {}).get("status", ""), CampaignStatus.PAUSED)


def _int(value) -> int:
    """An int64 as Google's JSON writes it (a string) or as a number; absent is 0 (proto3 leaves zeros out)."""
    return 0 if value is None else int(value)


def _decimal(value) -> Decimal:
    """A double read with parse_float=Decimal (or written as an integer or a string); absent is 0."""
    return Decimal(0) if value is None else Decimal(str(value))
