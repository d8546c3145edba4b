"""A fake Google Ads API (REST, JSON) and Google's OAuth token endpoint on a free port of 127.0.0.1.

For the Google Ads client's tests, the other tests that want a Google account over HTTP, and a simulator:
`FakeGoogleAds()` then `start()`; point GOOGLE_ADS_API_URL at `url`, GOOGLE_OAUTH_TOKEN_URL at `token_url` and
GOOGLE_OAUTH_AUTHORIZE_URL at `authorize_url`; `stop()` at the end. No pytest inside (the fixture is in
tests/adplatforms/conftest.py).

It holds customers (accounts) with their budgets, campaigns and daily figures in memory, and answers:
- GET /o/oauth2/v2/auth: Google's consent page for the web-server flow (response_type=code, the known client id,
  a redirect URI, the AdWords scope, a PKCE S256 challenge), whose "Allow" sends the browser back with a code and
  "Cancel" with error=access_denied (simulator.consent).
- POST /token: grant_type=refresh_token with the expected client id, secret and refresh token, or
  grant_type=authorization_code with a code it issued, the same redirect URI and the code verifier of its
  challenge (the answer carries a new refresh token, which the fake then expects); else RFC 6749 errors
  (`invalid_grant`, `invalid_client`).
- GET /{version}/customers:listAccessibleCustomers: the customers the signed-in person reaches directly
  (`accessible`; by default every customer that is no manager's client), as resource names.
- POST /{version}/customers/{id}/googleAds:search (paged by `page_size`, `nextPageToken`) and
  googleAds:searchStream (a JSON array of batches of `stream_batch_size` rows).
- POST /{version}/customers/{id}/campaignBudgets:mutate and campaigns:mutate (status, or a target CPA or ROAS:
  simulator.google_keywords_bids): `update` operations with an `updateMask`, all-or-nothing, `validateOnly`
  applying nothing, `responseContentType` MUTABLE_RESOURCE; adGroupCriteria:mutate creating keywords. Each applied
  budget or status update is in the account's change history (`change_event`, client type GOOGLE_ADS_API), as is
  a change made "elsewhere" with `change_elsewhere()` (someone in the web interface, Google's auto-apply...).
Every refusal is a google.rpc.Status carrying a GoogleAdsFailure, as Google writes it (int64 as strings,
fields at their default left out, as proto3 JSON does).

GAQL, just enough for adplatforms.google.queries: `SELECT fields FROM customer|campaign|customer_client
[WHERE cond AND ...] [ORDER BY field [ASC|DESC]] [LIMIT n]`, each cond `field = value`, `field != value`,
`field <= value`, `field IN (...)` or `segments.date BETWEEN 'a' AND 'b'`; customer_client gives the customer
itself (level 0) and its clients (level 1). FROM change_event needs a change_date_time window (>= and <=) within
the past 30 days and a LIMIT of at most 10,000 (ChangeEventError otherwise), as Google does. Only the fields in
FIELDS are known; any other is refused with queryError UNRECOGNIZED_FIELD, so a query naming a field this version
does not have fails here too. Selecting segments.date gives a row per day (per campaign FROM campaign, the
account's total FROM customer) and needs a date filter; metrics without segments.date are not supported (refused).

Scripted faults: `exhaust_quota()`, `fail_next(status, ...)` (a 500, a permission error...),
`fail_query_next(resource, status, ...)` (the same, for the next query FROM that resource only),
`fail_token_next()` (the token endpoint's), `delay_next()`
(a slow answer), `page_token_ttl` (page tokens that expire), `revoke_refresh_token()`,
`expire_access_tokens()`. Every request is recorded in `requests` (path, headers and body without the secrets).
"""

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from adplatforms import money
from adplatforms.simulator import consent
from adplatforms.simulator import google_keywords_bids as keywords_bids
from adplatforms.simulator import google_recommendations as recommending

SECRET_HEADERS = {"authorization", "developer-token"}
SECRET_FORM_FIELDS = {"client_secret", "refresh_token"}
ADWORDS_SCOPE = "https://www.googleapis.com/auth/adwords"


@dataclass
class Budget:
    id: str
    amount_micros: int
    explicitly_shared: bool = False
    period: str = "DAILY"
    name: str = ""


@dataclass
class Campaign:
    id: str
    name: str
    budget_id: str
    status: str = "ENABLED"  # ENABLED, PAUSED, REMOVED
    target_cpa_micros: int | None = None  # its TargetCpa bidding, once set
    target_roas: float | None = None  # its TargetRoas bidding, once set
    bidding_refusal: str = ""  # a BiddingError code a bidding target change answers with (scripted)


@dataclass
class Day:
    campaign_id: str
    day: date
    impressions: int
    clicks: int
    cost_micros: int
    conversions: Decimal
    conversions_value: Decimal


@dataclass
class ChangeEvent:
    """One entry of an account's change history: an update of a budget's amount or a campaign's status."""

    resource_name: str
    at: datetime  # aware
    resource_type: str  # CAMPAIGN_BUDGET or CAMPAIGN
    changed_resource: str  # the budget's or campaign's resource name
    changed_fields: str  # a FieldMask, camelCase
    old: dict  # the ChangedResource before, only the changed fields
    new: dict
    client_type: str  # GOOGLE_ADS_API, GOOGLE_ADS_WEB_CLIENT, GOOGLE_ADS_RECOMMENDATIONS_SUBSCRIPTION...
    user_email: str
    campaign: str  # the campaign's resource name ("" for a budget, whose campaigns Google does not name here)


@dataclass
class Customer:
    id: str
    name: str
    currency: str = "USD"
    time_zone: str = "America/New_York"
    manager: bool = False
    clients: list[str] = field(default_factory=list)  # a manager's client customers (their ids)
    min_daily_budget_micros: int = 1_000_000  # what the fake refuses below (BUDGET_BELOW_PER_DAY_MINIMUM)
    budgets: dict[str, Budget] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    days: list[Day] = field(default_factory=list)
    changes: list[ChangeEvent] = field(default_factory=list)
    recommendations: dict[str, recommending.Recommendation] = field(default_factory=dict)
    ad_groups: dict[str, str] = field(default_factory=dict)  # ad group id -> its campaign's id
    keywords: list[tuple[str, str, str]] = field(default_factory=list)  # (ad group id, text, match type) created
    # Figures made on demand, for accounts too large to hold (the sync bench's 450,000 campaign days):
    # `day_source(campaign, first, last)` gives the campaign's days in that range, in addition to `days`.
    day_source: Callable[[Campaign, date, date], Iterable[Day]] | None = None

    def days_of(self, campaign: Campaign, span: tuple[date, date]) -> list[Day]:
        """The campaign's days within `span`, held and made, in date order."""
        held = [d for d in self.days if d.campaign_id == campaign.id and span[0] <= d.day <= span[1]]
        return sorted([*held, *self.made_days(campaign, span)], key=lambda d: d.day)

    def made_days(self, campaign: Campaign, span: tuple[date, date]) -> list[Day]:
        return list(self.day_source(campaign, *span)) if self.day_source else []

    def budget_name(self, budget_id: str) -> str:
        return f"customers/{self.id}/campaignBudgets/{budget_id}"

    def campaign_name(self, campaign_id: str) -> str:
        return f"customers/{self.id}/campaigns/{campaign_id}"

    def reference_count(self, budget_id: str) -> int:
        return sum(1 for c in self.campaigns.values() if c.budget_id == budget_id and c.status != "REMOVED")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


class Refusal(Exception):
    """An answer the fake gives instead of a result: an HTTP status and its JSON body."""

    def __init__(self, http: int, body):
        super().__init__(http)
        self.http = http
        self.body = body


# --- the fields the fake knows, per resource a query is FROM ----------------------------------------------

_SERVING = {
    "ENABLED": ("SERVING", "ELIGIBLE"),
    "PAUSED": ("NONE", "PAUSED"),
    "REMOVED": ("NONE", "REMOVED"),
    "UNKNOWN": ("UNKNOWN", "UNKNOWN"),  # what Google writes for a value newer than the version asked
}
_CUSTOMER_FIELDS = {
    "customer.id": ("int64", lambda cu, c, b, d: cu.id),
    "customer.resource_name": ("string", lambda cu, c, b, d: f"customers/{cu.id}"),
    "customer.descriptive_name": ("string", lambda cu, c, b, d: cu.name),
    "customer.currency_code": ("string", lambda cu, c, b, d: cu.currency),
    "customer.time_zone": ("string", lambda cu, c, b, d: cu.time_zone),
}
_CAMPAIGN_FIELDS = {
    "campaign.id": ("int64", lambda cu, c, b, d: c.id),
    "campaign.resource_name": ("string", lambda cu, c, b, d: cu.campaign_name(c.id)),
    "campaign.name": ("string", lambda cu, c, b, d: c.name),
    "campaign.status": ("enum", lambda cu, c, b, d: c.status),
    "campaign.serving_status": ("enum", lambda cu, c, b, d: _SERVING[c.status][0]),
    "campaign.primary_status": ("enum", lambda cu, c, b, d: _SERVING[c.status][1]),
    "campaign.campaign_budget": ("string", lambda cu, c, b, d: cu.budget_name(c.budget_id)),
    "campaign_budget.id": ("int64", lambda cu, c, b, d: b.id),
    "campaign_budget.resource_name": ("string", lambda cu, c, b, d: cu.budget_name(b.id)),
    "campaign_budget.name": ("string", lambda cu, c, b, d: b.name),
    "campaign_budget.amount_micros": ("int64", lambda cu, c, b, d: b.amount_micros),
    "campaign_budget.period": ("enum", lambda cu, c, b, d: b.period),
    "campaign_budget.explicitly_shared": ("bool", lambda cu, c, b, d: b.explicitly_shared),
    "campaign_budget.reference_count": ("int64", lambda cu, c, b, d: cu.reference_count(b.id)),
}
_DAY_FIELDS = {
    "segments.date": ("string", lambda cu, c, b, d: d.day.isoformat()),
    "metrics.impressions": ("int64", lambda cu, c, b, d: d.impressions),
    "metrics.clicks": ("int64", lambda cu, c, b, d: d.clicks),
    "metrics.cost_micros": ("int64", lambda cu, c, b, d: d.cost_micros),
    "metrics.conversions": ("double", lambda cu, c, b, d: d.conversions),
    "metrics.conversions_value": ("double", lambda cu, c, b, d: d.conversions_value),
}
# FROM customer_client a row's context is (the client customer, its level, None, None).
_CUSTOMER_CLIENT_FIELDS = {
    "customer_client.id": ("int64", lambda cu, c, b, d: cu.id),
    "customer_client.resource_name": ("string", lambda cu, c, b, d: f"customers/{cu.id}/customerClients/{cu.id}"),
    "customer_client.client_customer": ("string", lambda cu, c, b, d: f"customers/{cu.id}"),
    "customer_client.descriptive_name": ("string", lambda cu, c, b, d: cu.name),
    "customer_client.currency_code": ("string", lambda cu, c, b, d: cu.currency),
    "customer_client.time_zone": ("string", lambda cu, c, b, d: cu.time_zone),
    "customer_client.manager": ("bool", lambda cu, c, b, d: cu.manager),
    "customer_client.level": ("int64", lambda cu, c, b, d: c),
}
# FROM change_event a row's context is (the customer, the ChangeEvent, None, None).
_CHANGE_EVENT_FIELDS = {
    "change_event.resource_name": ("string", lambda cu, e, b, d: e.resource_name),
    "change_event.change_date_time": (
        "string",
        lambda cu, e, b, d: e.at.astimezone(ZoneInfo(cu.time_zone)).strftime("%Y-%m-%d %H:%M:%S.%f"),
    ),
    "change_event.change_resource_type": ("enum", lambda cu, e, b, d: e.resource_type),
    "change_event.change_resource_name": ("string", lambda cu, e, b, d: e.changed_resource),
    "change_event.resource_change_operation": ("enum", lambda cu, e, b, d: "UPDATE"),
    "change_event.changed_fields": ("string", lambda cu, e, b, d: e.changed_fields),
    "change_event.old_resource": ("message", lambda cu, e, b, d: e.old),
    "change_event.new_resource": ("message", lambda cu, e, b, d: e.new),
    "change_event.client_type": ("enum", lambda cu, e, b, d: e.client_type),
    "change_event.user_email": ("string", lambda cu, e, b, d: e.user_email),
    "change_event.campaign": ("string", lambda cu, e, b, d: e.campaign),
}
CHANGE_DAYS = 30  # how far back change_event may be asked for
CHANGE_LIMIT = 10_000
FIELDS = {
    "change_event": _CHANGE_EVENT_FIELDS,
    "customer": {**_CUSTOMER_FIELDS, **_DAY_FIELDS},
    "campaign": {**_CUSTOMER_FIELDS, **_CAMPAIGN_FIELDS, **_DAY_FIELDS},
    "customer_client": _CUSTOMER_CLIENT_FIELDS,
    "recommendation": recommending.FIELDS,
}

_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<resource>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER\s+BY\s+(?P<order>[\w.]+)(?:\s+(?P<dir>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(
    r"(?P<field>[\w.]+)\s+(?:BETWEEN\s+(?P<low>'[^']*')\s+AND\s+(?P<high>'[^']*')"
    r"|(?P<op><=|>=|=|!=|IN)\s*(?P<value>\([^)]*\)|'[^']*'|-?\d+))\s*(?:AND\s+|$)",
    re.IGNORECASE,
)


class FakeGoogleAds:
    """The fake server; see the module's docstring."""

    def __init__(
        self,
        *,
        version: str = "v26",
        client_id: str = "fake-client-id.apps.googleusercontent.com",
        client_secret: str = "fake-client-secret-7Hq",
        refresh_token: str = "1//fake-refresh-token-Zp4",
        developer_token: str = "fake-developer-token-Qw9",
    ):
        self.version = version
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.developer_token = developer_token
        self.api_user_email = "ads-api@acme.test"  # the person whose OAuth grant the API's changes are made with
        self.token_lifetime = 3599  # seconds, as Google gives
        self.accessible: list[str] | None = None  # listAccessibleCustomers; None: every customer no one manages
        self.codes: dict[str, dict] = {}  # authorization codes not yet exchanged
        self.page_size = 10_000  # rows per googleAds:search page (Google's fixed size)
        self.stream_batch_size = 10_000  # rows per searchStream batch
        self.customers: dict[str, Customer] = {}
        self.requests: list[Recorded] = []
        self.issued_tokens: list[str] = []
        self._token_expiry: dict[str, float] = {}
        self.page_token_ttl: float | None = None  # seconds a page token lives (None: for ever)
        self._pages: dict[str, tuple[str, str, int, float]] = {}  # token -> (customer, query, offset, issued)
        self._faults: deque[Refusal] = deque()
        self._query_faults: dict[str, deque[Refusal]] = defaultdict(deque)  # FROM resource -> its next answers
        self._token_faults: deque[tuple[int, dict]] = deque()
        self._delays: deque[float] = deque()
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> "FakeGoogleAds":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-google-ads", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/o/oauth2/v2/auth"

    # --- the accounts ----------------------------------------------------------------------

    def add_customer(self, customer_id: str, name: str, **kwargs) -> Customer:
        self.customers[customer_id] = Customer(id=customer_id, name=name, **kwargs)
        return self.customers[customer_id]

    def add_budget(self, customer_id: str, budget_id: str, amount_micros: int, **kwargs) -> Budget:
        budget = Budget(id=budget_id, amount_micros=amount_micros, **kwargs)
        self.customers[customer_id].budgets[budget_id] = budget
        return budget

    def add_campaign(self, customer_id: str, campaign_id: str, name: str, budget_id: str, **kwargs) -> Campaign:
        campaign = Campaign(id=campaign_id, name=name, budget_id=budget_id, **kwargs)
        self.customers[customer_id].campaigns[campaign_id] = campaign
        return campaign

    def add_recommendation(self, customer_id: str, recommendation_id: str, type: str, campaign_id: str, **kwargs):
        """A recommendation Google offers for the campaign (adplatforms.simulator.google_recommendations); a
        keyword's ad group is the campaign's (Google recommends keywords for ad groups that exist)."""
        rec = recommending.Recommendation(recommendation_id, type, campaign_id, **kwargs)
        customer = self.customers[customer_id]
        customer.recommendations[recommendation_id] = rec
        if rec.ad_group_id:
            customer.ad_groups.setdefault(rec.ad_group_id, campaign_id)
        return rec

    def add_day(
        self,
        customer_id: str,
        campaign_id: str,
        day: date,
        *,
        impressions=0,
        clicks=0,
        cost_micros=0,
        conversions="0",
        conversions_value="0",
    ) -> Day:
        record = Day(
            campaign_id, day, impressions, clicks, cost_micros, Decimal(conversions), Decimal(conversions_value)
        )
        self.customers[customer_id].days.append(record)
        return record

    def seed_demo(self) -> None:
        """Two accounts: "Acme US" (USD, 1234567890) with a shared budget on three campaigns and one campaign
        on its own budget; "Acme Japan" (JPY, 9876543210) with one campaign."""
        self.add_customer("1234567890", "Acme US", currency="USD", time_zone="America/New_York")
        self.add_budget("1234567890", "5001", 150_000_000, explicitly_shared=True, name="Shared brand budget")
        self.add_budget("1234567890", "5002", 40_000_000)
        for campaign_id, name in (("111", "Brand US"), ("112", "Brand Canada"), ("113", "Brand Mexico")):
            self.add_campaign("1234567890", campaign_id, name, "5001")
        self.add_campaign("1234567890", "120", "Spring sale", "5002", status="PAUSED")
        self.add_customer("9876543210", "Acme Japan", currency="JPY", time_zone="Asia/Tokyo")
        self.add_budget("9876543210", "6001", 5_000_000_000)
        self.add_campaign("9876543210", "301", "Tokyo search", "6001")

    def record_change(
        self, customer: Customer, target, *, client_type: str, user_email: str, old: dict, new: dict, at=None
    ) -> ChangeEvent:
        """`target` (a Budget or a Campaign) changed from `old` to `new` (its changed fields, snake_case)."""
        budget = isinstance(target, Budget)
        resource = "campaignBudget" if budget else "campaign"
        at = at or datetime.now(UTC)
        event = ChangeEvent(
            resource_name=f"customers/{customer.id}/changeEvents/{int(at.timestamp() * 1e6)}~{next(self._counter)}~0",
            at=at,
            resource_type="CAMPAIGN_BUDGET" if budget else "CAMPAIGN",
            changed_resource=customer.budget_name(target.id) if budget else customer.campaign_name(target.id),
            changed_fields=",".join(_camel(name) for name in new),
            old={resource: {_camel(k): str(v) if k.endswith("micros") else v for k, v in old.items()}},
            new={resource: {_camel(k): str(v) if k.endswith("micros") else v for k, v in new.items()}},
            client_type=client_type,
            user_email=user_email,
            campaign="" if budget else customer.campaign_name(target.id),
        )
        customer.changes.append(event)
        return event

    def change_elsewhere(
        self,
        customer_id: str,
        *,
        budget_id: str = "",
        amount_micros: int | None = None,
        campaign_id: str = "",
        status: str = "",
        user_email: str = "dana@acme.test",
        client_type: str = "GOOGLE_ADS_WEB_CLIENT",
        at: datetime | None = None,
    ) -> ChangeEvent:
        """A budget's amount or a campaign's status changed by someone else (the web interface by default; Google's
        auto-apply is client_type GOOGLE_ADS_RECOMMENDATIONS_SUBSCRIPTION), with its change history entry."""
        customer = self.customers[customer_id]
        if budget_id:
            budget = customer.budgets[budget_id]
            old, budget.amount_micros = budget.amount_micros, amount_micros
            return self.record_change(
                customer, budget, client_type=client_type, user_email=user_email,
                old={"amount_micros": old}, new={"amount_micros": amount_micros}, at=at,
            )  # fmt: skip
        campaign = customer.campaigns[campaign_id]
        old, campaign.status = campaign.status, status
        return self.record_change(
            customer, campaign, client_type=client_type, user_email=user_email,
            old={"status": old}, new={"status": status}, at=at,
        )  # fmt: skip

    # --- scripted faults -------------------------------------------------------------------

    def fail_next(self, http: int, status: str, message: str, errors: list[dict] | None = None) -> None:
        """The next Ads API call answers `http` with a google.rpc.Status `status` whose GoogleAdsFailure holds
        `errors` (e.g. [error({"authorizationError": "USER_PERMISSION_DENIED"}, "...")]); none: no failure."""
        self._faults.append(Refusal(http, self.status_body(http, status, message, errors)))

    def fail_query_next(
        self, resource: str, http: int, status: str, message: str, errors: list[dict] | None = None
    ) -> None:
        """The next GAQL query FROM `resource` (e.g. "recommendation") fails as `fail_next` says; every other call
        answers as usual."""
        self._query_faults[resource].append(Refusal(http, self.status_body(http, status, message, errors)))

    def exhaust_quota(
        self,
        retry_delay: str = "41732s",
        scope: str = "DEVELOPER",
        rate_name: str = "Number of operations for basic access",
    ) -> None:
        """The next Ads API call is refused for quota, as Google refuses a developer token's daily quota."""
        failure = error(
            {"quotaError": "RESOURCE_EXHAUSTED"},
            f"Too many requests. Retry in {retry_delay.rstrip('s')} seconds.",
            details={"quotaErrorDetails": {"rateScope": scope, "rateName": rate_name, "retryDelay": retry_delay}},
        )
        self.fail_next(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [failure])

    def fail_token_next(self, http: int, body: dict) -> None:
        """The next call of the token endpoint answers `http` with `body` (e.g. 503, {"error": "..."})."""
        self._token_faults.append((http, body))

    def delay_next(self, seconds: float) -> None:
        """The next Ads API call answers only after `seconds`."""
        self._delays.append(seconds)

    def revoke_refresh_token(self) -> None:
        self.refresh_token = f"revoked-{self.refresh_token}"

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far is refused (OAUTH_TOKEN_EXPIRED), before its time."""
        with self._lock:
            for token in self._token_expiry:
                self._token_expiry[token] = 0.0

    def ads_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path != "/token"]

    def add_manager(self, customer_id: str, name: str, clients: list[str], **kwargs) -> Customer:
        """A manager (MCC) account over `clients`, customers already added."""
        return self.add_customer(customer_id, name, manager=True, clients=list(clients), **kwargs)

    def accessible_customers(self) -> list[str]:
        if self.accessible is not None:
            return list(self.accessible)
        managed = {client for c in self.customers.values() for client in c.clients}
        return [customer_id for customer_id in self.customers if customer_id not in managed]

    # --- the consent page (OAuth 2.0 for web server applications) ----------------------------

    def handle_authorize(self, params: dict[str, str]) -> tuple[int, bytes]:
        """The consent page, or Google's error page for a request it refuses (no redirect: RFC 6749 §4.1.2.1)."""
        if params.get("client_id") != self.client_id:
            return 401, b"Error 401: invalid_client. The OAuth client was not found."
        problem = _authorize_problem(params)
        if problem:
            return 400, f"Error 400: invalid_request. {problem}".encode()
        return 200, consent.page("Sign in with Google", "Walker wants to see and manage your Google Ads data.", params)

    def handle_decision(self, form: dict[str, str]) -> str:
        """Where "Allow" or "Cancel" sends the browser: the redirect URI with a code, or with access_denied."""
        answer = {"state": form["state"]} if form.get("state") else {}
        if form.get("decision") != "allow":
            return consent.back_to(form["redirect_uri"], {"error": "access_denied", **answer})
        code = f"4/0fake-code-{secrets.token_urlsafe(12)}"
        with self._lock:
            self.codes[code] = {
                "redirect_uri": form["redirect_uri"],
                "challenge": form["code_challenge"],
                "scope": form["scope"],
            }
        return consent.back_to(form["redirect_uri"], {**answer, "code": code, "scope": form["scope"]})

    def _exchange_code(self, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            issued = self.codes.pop(form.get("code", ""), None)
        if issued is None:
            return 400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
        if form.get("redirect_uri") != issued["redirect_uri"]:
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        verifier = form.get("code_verifier", "")
        if not verifier:
            return 400, {"error": "invalid_grant", "error_description": "Missing code verifier."}
        if _s256(verifier) != issued["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
        self.refresh_token = f"1//fake-refresh-{secrets.token_urlsafe(12)}"
        token = self._issue_access_token()
        return 200, {
            "access_token": token,
            "expires_in": self.token_lifetime,
            "refresh_token": self.refresh_token,
            "scope": issued["scope"],
            "token_type": "Bearer",
        }

    def _issue_access_token(self) -> str:
        token = f"ya29.fake-access-{next(self._counter):06d}"
        with self._lock:
            self.issued_tokens.append(token)
            self._token_expiry[token] = time.monotonic() + self.token_lifetime
        return token

    def handle_list_accessible(self, path: str, headers) -> dict:
        if path != f"/{self.version}/customers:listAccessibleCustomers":
            raise Refusal(404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}})
        self._authenticate(headers)
        if self._faults:
            raise self._faults.popleft()
        return {"resourceNames": [f"customers/{customer_id}" for customer_id in self.accessible_customers()]}

    # --- answers ---------------------------------------------------------------------------

    def status_body(self, http: int, status: str, message: str, errors: list[dict] | None = None) -> dict:
        details = []
        if errors:
            details.append(
                {
                    "@type": f"type.googleapis.com/google.ads.googleads.{self.version}.errors.GoogleAdsFailure",
                    "errors": errors,
                    "requestId": self._request_id(),
                }
            )
        return {"error": {"code": http, "message": message, "status": status, "details": details}}

    def _refuse(self, http: int, status: str, code: dict, message: str, **kwargs) -> Refusal:
        return Refusal(http, self.status_body(http, status, _STATUS_MESSAGE[status], [error(code, message, **kwargs)]))

    def _request_id(self) -> str:
        return f"fake-{next(self._counter):06d}"

    def handle_token(self, form: dict[str, str]) -> tuple[int, dict]:
        if self._token_faults:
            return self._token_faults.popleft()
        if form.get("grant_type") not in ("refresh_token", "authorization_code"):
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        if form["grant_type"] == "authorization_code":
            return self._exchange_code(form)
        if form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        token = self._issue_access_token()
        return 200, {
            "access_token": token,
            "expires_in": self.token_lifetime,
            "scope": "https://www.googleapis.com/auth/adwords",
            "token_type": "Bearer",
        }

    def handle_ads(self, path: str, headers, body: dict) -> object:
        if self._delays:
            time.sleep(self._delays.popleft())
        match = re.fullmatch(r"/(?P<version>v\d+)/customers/(?P<customer>\d+)/(?P<method>[\w:]+)", path)
        if not match or match["version"] != self.version:
            raise Refusal(404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}})
        self._authenticate(headers)
        if self._faults:
            raise self._faults.popleft()
        customer = self.customers.get(match["customer"])
        if customer is None:
            raise self._refuse(
                403,
                "PERMISSION_DENIED",
                {"authorizationError": "USER_PERMISSION_DENIED"},
                "User doesn't have permission to access customer. Note: If you're accessing a client customer, "
                "the manager's customer ID must be set in the 'login-customer-id' header.",
            )
        method = match["method"]
        if method == "googleAds:search":
            return self._search(customer, body)
        if method == "googleAds:searchStream":
            return self._search_stream(customer, body)
        if method == "campaignBudgets:mutate":
            return self._mutate(customer, body, "campaignBudget", customer.budgets, _apply_budget)
        if method == "campaigns:mutate":
            return self._mutate(customer, body, "campaign", customer.campaigns, _apply_campaign)
        if method == "adGroupCriteria:mutate":
            return keywords_bids.criteria_mutate(self, customer, body)
        if method == "recommendations:apply":
            return recommending.apply(self, customer, body, _apply_budget)
        if method == "recommendations:dismiss":
            return recommending.dismiss(self, customer, body)
        raise Refusal(404, {"error": {"code": 404, "message": f"Method {method} not found", "status": "NOT_FOUND"}})

    def _authenticate(self, headers) -> None:
        authorization = headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ")
        with self._lock:
            expiry = self._token_expiry.get(token) if authorization.startswith("Bearer ") else None
        if expiry is None:
            raise self._refuse(
                401, "UNAUTHENTICATED", {"authenticationError": "OAUTH_TOKEN_INVALID"}, "Oauth token is invalid."
            )
        if expiry <= time.monotonic():
            raise self._refuse(
                401, "UNAUTHENTICATED", {"authenticationError": "OAUTH_TOKEN_EXPIRED"}, "Oauth token is expired."
            )
        if headers.get("developer-token") != self.developer_token:
            raise self._refuse(
                403,
                "PERMISSION_DENIED",
                {"authorizationError": "DEVELOPER_TOKEN_PROHIBITED"},
                "The developer token is not allowed with the project sent in the request.",
            )
        login = headers.get("login-customer-id")
        if login is not None and not re.fullmatch(r"\d{10}", login):
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                {"authenticationError": "LOGIN_CUSTOMER_ID_PARAMETER_INVALID"},
                "The login-customer-id parameter is invalid. It must consist of exactly 10 digits.",
            )

    # --- reads -----------------------------------------------------------------------------

    def _search(self, customer: Customer, body: dict) -> dict:
        query, offset = body.get("query", ""), 0
        if body.get("pageToken"):
            token = body["pageToken"]
            with self._lock:
                known = self._pages.get(token)
            ttl = self.page_token_ttl
            expired = known is not None and ttl is not None and time.monotonic() - known[3] >= ttl
            if known is None or expired or known[:2] != (customer.id, query):
                code = "EXPIRED_PAGE_TOKEN" if expired else "INVALID_PAGE_TOKEN"
                raise self._refuse(400, "INVALID_ARGUMENT", {"requestError": code}, _PAGE_MESSAGE[code])
            offset = known[2]
        fields, rows = self._run(customer, query)
        page = {"results": rows[offset : offset + self.page_size], "fieldMask": _mask(fields)}
        if offset + self.page_size < len(rows):
            token = f"page-{next(self._counter):06d}"
            with self._lock:
                self._pages[token] = (customer.id, query, offset + self.page_size, time.monotonic())
            page["nextPageToken"] = token
        page["requestId"] = self._request_id()
        return page

    def _search_stream(self, customer: Customer, body: dict) -> list:
        fields, rows = self._run(customer, body.get("query", ""))
        size = self.stream_batch_size
        batches = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
        request_id = self._request_id()
        return [
            {**({"results": batch} if batch else {}), "fieldMask": _mask(fields), "requestId": request_id}
            for batch in batches
        ]

    def _run(self, customer: Customer, query: str) -> tuple[list[str], list[dict]]:
        match = _QUERY.match(query)
        if not match:
            raise self._refuse(
                400, "INVALID_ARGUMENT", {"queryError": "UNEXPECTED_INPUT"}, f"Error in query: {query[:80]}"
            )
        resource = match["resource"].lower()
        if self._query_faults[resource]:
            raise self._query_faults[resource].popleft()
        known = FIELDS.get(resource)
        if known is None:
            raise self._refuse(
                400, "INVALID_ARGUMENT", {"queryError": "INVALID_RESOURCE_NAME"}, f"Unrecognized resource {resource}"
            )
        fields = [f.strip() for f in match["fields"].split(",")]
        conditions = self._conditions(match["where"] or "")
        for name in [*fields, *(c[0] for c in conditions), *([match["order"]] if match["order"] else [])]:
            if name not in known:
                raise self._refuse(
                    400, "INVALID_ARGUMENT", {"queryError": "UNRECOGNIZED_FIELD"}, f"Unrecognized field '{name}'."
                )
        if resource == "change_event":
            self._check_change_window(conditions, match["limit"])
        daily = "segments.date" in fields
        if daily and not any(c[0] == "segments.date" for c in conditions):
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"},
                "Filters on date range are expected when segments.date is selected.",
            )
        if not daily and any(f.startswith("metrics.") for f in fields):
            raise self._refuse(
                400,
                "INVALID_ARGUMENT",
                {"queryError": "PROHIBITED_FIELD_IN_SELECT_CLAUSE"},
                "The fake Google Ads API reads metrics only by day (select segments.date).",
            )
        needed = {*fields, *(c[0] for c in conditions), *([match["order"]] if match["order"] else [])}
        needed |= {f"{name.split('.')[0]}.resource_name" for name in needed} & known.keys()
        span = next((c[2] for c in conditions if c[0] == "segments.date" and c[1] == "BETWEEN"), None)
        rows = self._rows(customer, resource, daily, needed, span)
        flat = [r for r in rows if all(_holds(r, c) for c in conditions)]
        if match["order"]:
            flat.sort(key=lambda r: _sort_key(r[match["order"]]), reverse=(match["dir"] or "").upper() == "DESC")
        if match["limit"]:
            flat = flat[: int(match["limit"])]
        return fields, [_render(r, fields, known) for r in flat]

    def _check_change_window(self, conditions: list, limit: str | None) -> None:
        """Google's rules for reading change_event: a bounded change_date_time window within the past 30 days, and
        a LIMIT of at most 10,000."""
        bounds = {op: value for name, op, value in conditions if name == "change_event.change_date_time"}

        def refuse(code: str, message: str) -> Refusal:
            return self._refuse(400, "INVALID_ARGUMENT", {"changeEventError": code}, message)

        if ">=" not in bounds or "<=" not in bounds:
            raise refuse("CHANGE_DATE_RANGE_INFINITE", "The change_date_time range must have a start and an end.")
        if bounds[">="] > bounds["<="]:
            raise refuse("CHANGE_DATE_RANGE_NEGATIVE", "The change_date_time range starts after it ends.")
        oldest = (datetime.now(UTC) - timedelta(days=CHANGE_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
        if bounds[">="] < oldest:  # compared in UTC: a zone's hours either side do not matter to the tests
            raise refuse("START_DATE_TOO_OLD", "The start date is more than 30 days ago.")
        if limit is None:
            raise refuse("LIMIT_NOT_SPECIFIED", "A LIMIT clause is required when selecting from change_event.")
        if int(limit) > CHANGE_LIMIT:
            raise refuse("INVALID_LIMIT_CLAUSE", "The LIMIT of a change_event query is at most 10,000.")

    def _conditions(self, where: str) -> list[tuple[str, str, object]]:
        conditions, position = [], 0
        while position < len(where):
            match = _CONDITION.match(where, position)
            if not match:
                raise self._refuse(
                    400, "INVALID_ARGUMENT", {"queryError": "UNEXPECTED_INPUT"}, f"Error in WHERE: {where[position:]}"
                )
            if match["low"]:
                conditions.append((match["field"], "BETWEEN", (_literal(match["low"]), _literal(match["high"]))))
            else:
                conditions.append((match["field"], match["op"].upper(), _literal(match["value"])))
            position = match.end()
        return conditions

    def _rows(self, customer: Customer, resource: str, daily: bool, needed: set[str], span) -> list[dict]:
        """Every row FROM `resource` (daily rows within `span` when the query gives one), as {field: value} of
        the `needed` fields."""
        known = {name: read for name, (_, read) in FIELDS[resource].items() if name in needed}
        span = (date.fromisoformat(span[0]), date.fromisoformat(span[1])) if span else (date.min, date.max)
        contexts = []
        if resource == "change_event":
            contexts = [(customer, event, None, None) for event in customer.changes]
        elif resource == "recommendation":
            contexts = recommending.contexts(customer)
        elif resource == "customer_client":
            clients = [self.customers[client_id] for client_id in customer.clients if client_id in self.customers]
            contexts = [(customer, 0, None, None), *((client, 1, None, None) for client in clients)]
        elif resource == "customer" and not daily:
            contexts = [(customer, None, None, None)]
        elif resource == "customer":
            totals = defaultdict(list)
            made = (d for c in customer.campaigns.values() for d in customer.made_days(c, span))
            for day in [*(d for d in customer.days if span[0] <= d.day <= span[1]), *made]:
                totals[day.day].append(day)
            for day in sorted(totals):
                of_day = totals[day]
                total = Day("", day, *(sum(getattr(d, f) for d in of_day) for f in _SUMMED))
                contexts.append((customer, None, None, total))
        else:
            for campaign in customer.campaigns.values():
                budget = customer.budgets[campaign.budget_id]
                if not daily:
                    contexts.append((customer, campaign, budget, None))
                    continue
                for day in customer.days_of(campaign, span):
                    contexts.append((customer, campaign, budget, day))
        return [
            {name: read(*context) for name, read in known.items() if _applies(name, context)} for context in contexts
        ]

    # --- writes ----------------------------------------------------------------------------

    def _mutate(self, customer: Customer, body: dict, resource: str, objects: dict, apply) -> dict:
        operations = body.get("operations") or []
        if not operations:
            raise self._refuse(400, "INVALID_ARGUMENT", {"requestError": "OPERATION_REQUIRED"}, "No operations.")
        planned = []
        for index, operation in enumerate(operations):
            update = operation.get("update")
            if not isinstance(update, dict):
                raise self._refuse(
                    400,
                    "INVALID_ARGUMENT",
                    {"requestError": "OPERATION_REQUIRED"},
                    "The fake Google Ads API takes update operations only.",
                    location=[("operations", index)],
                )
            name = str(update.get("resourceName", ""))
            object_id = name.rsplit("/", 1)[-1]
            if not name.startswith(f"customers/{customer.id}/") or object_id not in objects:
                raise self._refuse(
                    400,
                    "INVALID_ARGUMENT",
                    {"mutateError": "RESOURCE_NOT_FOUND"},
                    "Resource was not found.",
                    location=[("operations", index), ("update", None), ("resource_name", None)],
                )
            mask = [m.strip() for m in str(operation.get("updateMask", "")).split(",") if m.strip()]
            planned.append((objects[object_id], apply(self, customer, objects[object_id], update, mask, index)))
        response: dict = {}
        if not body.get("validateOnly"):
            results = []
            for target, change in planned:
                change()
                result = {"resourceName": _resource_name(customer, resource, target)}
                if body.get("responseContentType") == "MUTABLE_RESOURCE":
                    result[resource] = _resource_json(customer, resource, target)
                results.append(result)
            response["results"] = results
        return response


def _resource_name(customer: Customer, resource: str, target) -> str:
    return customer.budget_name(target.id) if resource == "campaignBudget" else customer.campaign_name(target.id)


def _apply_budget(fake: FakeGoogleAds, customer: Customer, budget: Budget, update: dict, mask: list, index: int):
    location = [("operations", index), ("update", None), ("amount_micros", None)]
    if mask != ["amount_micros"]:
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"fieldMaskError": "FIELD_NOT_FOUND"},
            "The fake Google Ads API updates a budget's amount_micros only.",
            location=location[:2],
        )
    amount = int(update.get("amountMicros", 0))
    step = money.MICROS // 10 ** money.places(customer.currency)
    if amount % step:
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"campaignBudgetError": "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"},
            "The budget amount is not a multiple of the minimum currency unit.",
            location=location,
        )
    if amount < customer.min_daily_budget_micros:
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"campaignBudgetError": "BUDGET_BELOW_PER_DAY_MINIMUM"},
            "The budget is below the per-day minimum.",
            location=location,
            details={
                "budgetPerDayMinimumErrorDetails": {
                    "currencyCode": customer.currency,
                    "budgetPerDayMinimumMicros": str(customer.min_daily_budget_micros),
                    "minimumBudgetAmountMicros": str(customer.min_daily_budget_micros),
                    "failedBudgetAmountMicros": str(amount),
                }
            },
        )

    def change():
        old, budget.amount_micros = budget.amount_micros, amount
        if old != amount:
            fake.record_change(
                customer, budget, client_type="GOOGLE_ADS_API", user_email=fake.api_user_email,
                old={"amount_micros": old}, new={"amount_micros": amount},
            )  # fmt: skip

    return change


def _apply_campaign(fake: FakeGoogleAds, customer: Customer, campaign: Campaign, update: dict, mask: list, index: int):
    if len(mask) == 1 and mask[0] in keywords_bids.BIDDING_MASKS:
        return keywords_bids.bidding_change(fake, customer, campaign, update, mask, index)
    if mask != ["status"] or update.get("status") not in ("ENABLED", "PAUSED"):
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"fieldError": "INVALID_VALUE"},
            "The fake Google Ads API sets a campaign's status to ENABLED or PAUSED only.",
            location=[("operations", index), ("update", None), ("status", None)],
        )
    if campaign.status == "REMOVED":
        raise fake._refuse(
            400,
            "INVALID_ARGUMENT",
            {"campaignError": "CANNOT_MODIFY_A_REMOVED_CAMPAIGN"},
            "Cannot modify a removed campaign.",
            location=[("operations", index)],
        )

    def change():
        old, campaign.status = campaign.status, update["status"]
        if old != campaign.status:
            fake.record_change(
                customer, campaign, client_type="GOOGLE_ADS_API", user_email=fake.api_user_email,
                old={"status": old}, new={"status": campaign.status},
            )  # fmt: skip

    return change


def error(code: dict, message: str, *, location=None, details=None) -> dict:
    """One GoogleAdsError of a GoogleAdsFailure."""
    entry = {"errorCode": code, "message": message}
    if location:
        elements = [{"fieldName": name, **({"index": i} if i is not None else {})} for name, i in location]
        entry["location"] = {"fieldPathElements": elements}
    if details:
        entry["details"] = details
    return entry


_STATUS_MESSAGE = {
    "INVALID_ARGUMENT": "Request contains an invalid argument.",
    "UNAUTHENTICATED": "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential.",
    "PERMISSION_DENIED": "The caller does not have permission",
    "RESOURCE_EXHAUSTED": "Resource has been exhausted (e.g. check quota).",
}
_PAGE_MESSAGE = {
    "EXPIRED_PAGE_TOKEN": "Page token has expired.",
    "INVALID_PAGE_TOKEN": "Page token is invalid.",
}
_SUMMED = ("impressions", "clicks", "cost_micros", "conversions", "conversions_value")


def _applies(name: str, context) -> bool:
    _, campaign, _, day = context
    if name.startswith(("campaign.", "campaign_budget.")):
        return campaign is not None
    if name.startswith(("segments.", "metrics.")):
        return day is not None
    return True


def _literal(text: str):
    text = text.strip()
    if text.startswith("("):
        return tuple(_literal(part) for part in text[1:-1].split(",") if part.strip())
    return text[1:-1] if text.startswith("'") else text


def _holds(row: dict, condition) -> bool:
    name, op, value = condition
    actual = str(row.get(name, ""))
    if op == "BETWEEN":
        return value[0] <= actual <= value[1]
    if op == "IN":
        return actual in value
    if op in ("<=", ">="):
        if str(value).lstrip("-").isdigit():
            actual, value = int(actual or 0), int(value)
        return actual <= value if op == "<=" else actual >= value
    return (actual == value) == (op == "=")


def _sort_key(value):
    return (0, int(value), "") if isinstance(value, int) or str(value).isdigit() else (1, 0, str(value))


def _render(row: dict, fields: list[str], known: dict) -> dict:
    """A GoogleAdsRow in proto3 JSON: nested, camelCase, int64 as strings, default values left out."""
    out: dict = {}
    for name in fields:
        kind, _ = known[name]
        value = row.get(name)
        if value in (None, "", False, 0) or (kind == "double" and value == 0):
            continue
        resource, attribute = name.split(".", 1)
        target = out.setdefault(_camel(resource), {})
        if resource not in ("metrics", "segments") and f"{resource}.resource_name" in row:
            target.setdefault("resourceName", row[f"{resource}.resource_name"])
        target[_camel(attribute)] = str(value) if kind == "int64" else value
    return out


def _resource_json(customer: Customer, resource: str, target) -> dict:
    """The resource as a mutate with MUTABLE_RESOURCE returns it."""
    if resource == "campaignBudget":
        body = {
            "resourceName": customer.budget_name(target.id),
            "id": target.id,
            "amountMicros": str(target.amount_micros),
            "period": target.period,
            "referenceCount": str(customer.reference_count(target.id)),
        }
        if target.explicitly_shared:
            body["explicitlyShared"] = True
        if target.name:
            body["name"] = target.name
        return body
    serving, primary = _SERVING[target.status]
    return {
        "resourceName": customer.campaign_name(target.id),
        "id": target.id,
        "name": target.name,
        "status": target.status,
        "servingStatus": serving,
        "primaryStatus": primary,
        "campaignBudget": customer.budget_name(target.budget_id),
    }


def _mask(fields: list[str]) -> str:
    return ",".join(".".join(_camel(part) for part in name.split(".")) for name in fields)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _dumps(value) -> bytes:
    return json.dumps(value, default=_number).encode()


def _number(value):
    if isinstance(value, Decimal):
        return float(value)  # a double, as Google writes conversions
    raise TypeError(type(value).__name__)


def _authorize_problem(params: dict[str, str]) -> str:
    """What Google's consent page would refuse in the request, or ""."""
    if params.get("response_type") != "code":
        return "Invalid response_type: the web-server flow asks for code."
    if not params.get("redirect_uri", "").startswith(("http://", "https://")):
        return "Missing required parameter: redirect_uri"
    if ADWORDS_SCOPE not in params.get("scope", "").split():
        return "The fake knows the Google Ads scope only."
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return "Walker's client sends a PKCE S256 code_challenge."
    return ""


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _handler(fake: FakeGoogleAds):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # an answer leaves in one write (flushed after each request), not a header at a time
        disable_nagle_algorithm = True

        def do_GET(self):  # noqa: N802 (http.server's name)
            split = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(split.query))
            fake.requests.append(Recorded("GET", split.path, _public_headers(self.headers), params))
            if split.path == "/o/oauth2/v2/auth":
                status, page = fake.handle_authorize(params)
                return self._page(status, page)
            try:
                return self._answer(200, fake.handle_list_accessible(split.path, self.headers))
            except Refusal as refusal:
                return self._answer(refusal.http, refusal.body)

        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            path = urllib.parse.urlsplit(self.path).path
            if path == consent.DECIDE_PATH:
                location = fake.handle_decision(dict(urllib.parse.parse_qsl(raw)))
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if path == "/token":
                form = dict(urllib.parse.parse_qsl(raw))
                fake.requests.append(
                    Recorded("POST", path, _public_headers(self.headers), _without(form, SECRET_FORM_FIELDS))
                )
                status, body = fake.handle_token(form)
                return self._answer(status, body)
            try:
                body = json.loads(raw or "{}")
            except ValueError:
                body = None
            fake.requests.append(Recorded("POST", path, _public_headers(self.headers), body))
            try:
                if not isinstance(body, dict):
                    raise Refusal(400, fake.status_body(400, "INVALID_ARGUMENT", "Invalid JSON payload received."))
                return self._answer(200, fake.handle_ads(path, self.headers, body))
            except Refusal as refusal:
                return self._answer(refusal.http, refusal.body)

        def _answer(self, status: int, body) -> None:
            data = _dumps(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("request-id", fake._request_id())
            self.end_headers()
            self.wfile.write(data)

        def _page(self, status: int, page: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format, *args):  # quiet: the test output is not the place
            pass

    return Handler


def _public_headers(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}


def _without(form: dict, secret: set) -> dict:
    return {k: v for k, v in form.items() if k not in secret}
