"""Meta's Graph API (the Marketing API part Walker uses) as a real HTTP server on 127.0.0.1, for the client's tests,
`simulate_ad_platform` and the sync bench.

It holds ad accounts, their campaigns and daily insights, and answers in the shapes Meta documents: objects with
the requested `fields` only (plus `id`), edges as `{"data": [...], "paging": {"cursors": {...}, "next": ...}}`
with `next` carrying `access_token=` as Meta writes it, insights figures as strings, asynchronous report jobs
(`POST /act_x/insights`, `GET /{report_run_id}`, `GET /{report_run_id}/insights`), writes answering
`{"success": true}` (each applied change of a campaign's budget or status is in the account's `activities`, made by
Walker's app, as is one made "elsewhere" with `change_elsewhere()`), errors as `{"error": {"message", "type",
"code", "error_subcode", "fbtrace_id", ...}}`, and the usage headers (`x-app-usage`, `x-ad-account-usage`,
`x-business-use-case-usage`) on every answer.

Facebook Login too ("Connect Meta"): the login dialog at `/{version}/dialog/oauth` (the app's id, a redirect URI,
a Facebook Login for Business `config_id` or a `scope`), whose "Allow" sends the browser back with a code and
"Cancel" with error=access_denied and error_reason=user_denied (simulator.consent); `oauth/access_token` exchanging
that code (same redirect URI, the app's secret) for a short-lived user token, and a short-lived token for a
long-lived one (grant_type=fb_exchange_token), which the fake then takes as its `token`; and `me/adaccounts`, the
ad accounts that person reaches (`people_accounts`; by default every account).

Faults are scripted (`fail("rate_limit", path="campaigns")`), every request is recorded without its
Authorization header, and nothing here depends on pytest: `start()`, `url`, `stop()`.
"""

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from adplatforms.simulator import consent

TOKEN = "EAAGfakeSystemUserToken0123456789abcdef"
APP_ID = "1357924680"
APP_SECRET = "fake-meta-app-secret-5Rt"
BUSINESS_ID = "1029384756"
APP_NAME = "Walker"
MIN_DAILY_BUDGET_UNITS = 100  # $1.00, or ¥100: below it Meta refuses the budget (error 100, subcode 1885272)


@dataclass
class Recorded:
    method: str
    path: str  # without the version prefix, e.g. "act_123/campaigns"
    params: dict  # query string and form body together
    target: str  # the request target as sent (path and query)
    headers: dict  # every header but Authorization
    bearer: bool  # the Authorization header carried the expected token


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    times: int
    options: dict = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (self.path is None or self.path in path)


class GraphError(Exception):
    def __init__(self, status: int, code: int, message: str, *, subcode=None, kind="OAuthException", **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK", **extra}
        if subcode is not None:
            self.body["error_subcode"] = subcode


class FakeMetaGraph:
    def __init__(self, *, token: str = TOKEN, version: str = "v26.0"):
        self.token = token
        self.version = version
        self.app_id = APP_ID
        self.app_secret = APP_SECRET
        self.codes: dict[str, str] = {}  # login codes not yet exchanged -> their redirect URI
        self.short_tokens: set[str] = set()
        self.people_accounts: list[str] | None = None  # me/adaccounts; None: every account
        self.accounts: dict[str, dict] = {}
        self.campaigns: dict[str, dict] = {}
        self.days: dict[tuple[str, date], dict] = {}
        self.activities: list[dict] = []  # the accounts' change history, oldest first
        self.ad_sets: dict[str, dict] = {}  # only as the activities name them: their campaign, budget and status
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        # Usage figures sent on every answer (percentages); None leaves that header out.
        self.app_usage: int | None = 7
        self.account_usage: Decimal | None = Decimal("9.67")
        self.business_usage: int | None = 12
        self.regain_minutes = 0  # x-business-use-case-usage estimated_time_to_regain_access
        self.reset_seconds = 0  # x-ad-account-usage reset_time_duration
        self.raw_headers: dict[str, str] = {}  # headers sent as written here instead (malformed ones, say)
        self.paging_cursors = True  # False: pages carry `next` but no cursors (not what Meta documents)
        self.apply_writes = True  # False: a write answers success and changes nothing
        self.report_polls = 2  # polls of a report job before it completes
        self.report_outcome = "Job Completed"  # or "Job Failed", "Job Skipped"
        self.reports: dict[str, dict] = {}
        self.hang_seconds = 3.0  # how long a "timeout" fault keeps the caller waiting
        self._ids = iter(range(6_100_000_000_000, 7_000_000_000_000))
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> "FakeMetaGraph":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a caller that gave up (the timeout fault) closed its end: nothing to report

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # --- the account ------------------------------------------------------------------

    def add_account(
        self, account_id="act_123", *, name="Acme Outdoor", currency="USD", timezone="America/New_York", status=1
    ) -> str:
        self.accounts[account_id] = {
            "id": account_id,
            "account_id": account_id.removeprefix("act_"),
            "name": name,
            "currency": currency,
            "timezone_name": timezone,
            "account_status": status,
        }
        return account_id

    def add_campaign(
        self,
        campaign_id: str,
        name: str,
        *,
        account="act_123",
        status="ACTIVE",
        daily_budget: int | None = None,
        lifetime_budget: int | None = None,
        effective_status: str | None = None,
    ) -> dict:
        campaign = {
            "id": campaign_id,
            "account_id": account.removeprefix("act_"),
            "name": name,
            "status": status,
            "effective_status": effective_status or status,
            "budget_remaining": str(daily_budget or lifetime_budget or 0),
        }
        if daily_budget is not None:
            campaign["daily_budget"] = str(daily_budget)
        if lifetime_budget is not None:
            campaign["lifetime_budget"] = str(lifetime_budget)
        self.campaigns[campaign_id] = campaign
        return campaign

    def add_day(
        self,
        campaign_id: str,
        day: date,
        *,
        impressions=1000,
        clicks=40,
        spend="25.50",
        actions: dict | None = None,
        action_values: dict | None = None,
    ) -> None:
        """`actions` and `action_values` map an action type to its figure, e.g. {"omni_purchase": "3"}."""
        self.days[(campaign_id, day)] = {
            "impressions": str(impressions),
            "clicks": str(clicks),
            "spend": str(spend),
            "actions": [{"action_type": kind, "value": str(value)} for kind, value in (actions or {}).items()],
            "action_values": [
                {"action_type": kind, "value": str(value)} for kind, value in (action_values or {}).items()
            ],
        }

    def add_ad_set(self, ad_set_id: str, name: str, campaign_id: str, *, daily_budget: int, status="ACTIVE") -> dict:
        campaign = self.campaigns[campaign_id]
        self.ad_sets[ad_set_id] = {
            "id": ad_set_id, "name": name, "campaign_id": campaign_id, "account_id": campaign["account_id"],
            "daily_budget": str(daily_budget), "status": status,
        }  # fmt: skip
        return self.ad_sets[ad_set_id]

    def record_activity(
        self, target: dict, changes: dict, *, actor: str, application_id: str, application_name: str, at=None
    ) -> dict:
        """`target`'s (a campaign's or an ad set's) budget or status changed to `changes` (Meta's field names), as
        the activity log writes it: one event per field, its old and new value in `extra_data` (a JSON string)."""
        at = at or datetime.now(UTC)
        level = "ad_set" if target["id"] in self.ad_sets else "campaign"
        campaign = target
        events = []
        for name, new in changes.items():
            event_type = f"update_{level}_budget" if name == "daily_budget" else f"update_{level}_run_status"
            extra = {"old_value": campaign.get(name), "new_value": new}
            if name == "daily_budget":
                currency = self.accounts[f"act_{campaign['account_id']}"]["currency"]
                extra = {"old_value": int(campaign[name]), "new_value": int(new), "currency": currency,
                         "type": "payment_amount"}  # fmt: skip
            events.append(
                {
                    "event_type": event_type,
                    "event_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "extra_data": json.dumps(extra),
                    "actor_id": "100000000000001",
                    "actor_name": actor,
                    "application_id": application_id,
                    "application_name": application_name,
                    "object_id": campaign["id"],
                    "object_name": campaign["name"],
                    "object_type": "CAMPAIGN" if level == "ad_set" else "CAMPAIGN_GROUP",
                    "account": f"act_{campaign['account_id']}",
                }
            )
        self.activities.extend(events)
        return events[-1]

    def change_elsewhere(
        self,
        campaign_id: str,
        *,
        daily_budget: int | None = None,
        status: str = "",
        actor: str = "Dana Reyes",
        application_name: str = "Ads Manager",
        at=None,
    ) -> dict:
        """A campaign's (or an ad set's, given its id) budget or status changed by someone in Ads Manager (by
        default), with its activity."""
        campaign = self.ad_sets.get(campaign_id) or self.campaigns[campaign_id]
        changes = {"daily_budget": str(daily_budget)} if daily_budget is not None else {"status": status}
        event = self.record_activity(
            campaign, changes, actor=actor, application_id="", application_name=application_name, at=at
        )
        campaign.update(changes)
        if status:
            campaign["effective_status"] = status
        return event

    def fail(self, kind: str, *, method: str | None = None, path: str | None = None, times=1, **options) -> None:
        """Answer the next matching request(s) with a fault: "rate_limit" (80004 with a regain time, option
        `regain_minutes`), "app_limit" (4), "token" (190), "permission" (200), "server_error" (HTTP 500),
        "timeout" (no answer for `hang_seconds`), "applied_then_timeout" (the request is carried out, then no answer
        for `hang_seconds`: a worker can be killed while Meta already holds its write; with `writes_only=True` a
        validate-only request passes), "too_much_data" (1/1487534, insights read at once), and answers
        that are not what Meta documents: "unconfirmed" (`{"success": false}`), "no_report_id", "not_json"."""
        self.faults.append(Fault(kind, method, path, times, options))

    def requests_to(self, path_part: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if path_part in r.path and method in (None, r.method)]

    # --- serving ----------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            params.update(parse_qsl(handler.rfile.read(length).decode(), keep_blank_values=True))
        prefix = f"/{self.version}/"
        path = split.path.removeprefix(prefix) if split.path.startswith(prefix) else split.path
        if path == "dialog/oauth" or split.path == consent.DECIDE_PATH:
            return self._login(handler, params)
        if path == "oauth/access_token":
            with self._lock:
                self.requests.append(Recorded(method, path, _public(params), split.path, {}, False))
            try:
                return self._answer(handler, 200, self._access_token(params), {})
            except GraphError as err:
                return self._answer(handler, err.status, {"error": err.body}, {})
        bearer = handler.headers.get("Authorization") == f"Bearer {self.token}"
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "authorization"}
        with self._lock:
            self.requests.append(Recorded(method, path, params, handler.path, headers, bearer))
            fault = self._take_fault(method, path, params)
        extra_headers: dict[str, str] = {}
        try:
            if fault and fault.kind == "applied_then_timeout":
                with self._lock:
                    self._route(method, path, params)
                self._stopping.wait(self.hang_seconds)
                return
            if fault:
                status, body, extra_headers = self._fault(fault, handler)
            elif not split.path.startswith(prefix):
                raise GraphError(400, 2500, "Unknown path components: " + split.path)
            elif not bearer:
                raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
            else:
                with self._lock:
                    status, body = 200, self._route(method, path, params)
        except GraphError as err:
            status, body = err.status, {"error": err.body}
        if status is None:
            return  # the caller gave up waiting
        self._answer(handler, status, body, extra_headers)

    def _take_fault(self, method: str, path: str, params: dict) -> Fault | None:
        validating = "validate_only" in params.get("execution_options", "")
        for fault in self.faults:
            if fault.matches(method, path) and not (validating and fault.options.get("writes_only")):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _fault(self, fault: Fault, handler) -> tuple[int | None, dict | bytes, dict]:
        kind = fault.kind
        if kind == "rate_limit":
            minutes = fault.options.get("regain_minutes", 5)
            usage = [self._business_entry(call_count=100, regain=minutes)]
            header = {"x-business-use-case-usage": json.dumps({BUSINESS_ID: usage})}
            message = "There have been too many calls to this ad-account. Wait a bit and try again."
            return 400, _error(80004, message, subcode=2446079, kind="OAuthException", is_transient=True), header
        if kind == "app_limit":
            header = {"x-app-usage": json.dumps({"call_count": 100, "total_cputime": 40, "total_time": 60})}
            return 403, _error(4, "Application request limit reached", is_transient=True), header
        if kind == "token":
            message = f"Malformed access token {self.token}"
            return 400, _error(190, message, subcode=463, error_user_title="Session expired"), {}
        if kind == "permission":
            return 403, _error(200, "Permissions error", kind="OAuthException"), {}
        if kind == "server_error":
            return 500, _error(2, "Service temporarily unavailable", kind="FacebookApiException"), {}
        if kind == "too_much_data":
            message = "Please reduce the amount of data you're asking for, then retry your request"
            return 500, _error(1, message, subcode=1487534, kind="FacebookApiException"), {}
        if kind == "timeout":
            self._stopping.wait(self.hang_seconds)
            return None, {}, {}
        if kind == "unconfirmed":
            return 200, {"success": False}, {}
        if kind == "no_report_id":
            return 200, {"report_run_id": None}, {}
        if kind == "not_json":
            return 200, b"<html><body>Sorry, something went wrong.</body></html>", {"Content-Type": "text/html"}
        raise ValueError(f"unknown fault {kind!r}")

    def _answer(self, handler, status: int, body: dict | bytes, extra_headers: dict) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
        headers = {"Content-Type": "application/json; charset=UTF-8", **self._usage_headers(), **extra_headers}
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in {**headers, **self.raw_headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _usage_headers(self) -> dict[str, str]:
        headers = {}
        if self.app_usage is not None:
            figures = {"call_count": self.app_usage, "total_cputime": 1, "total_time": 1}
            headers["x-app-usage"] = json.dumps(figures)
        if self.account_usage is not None:
            headers["x-ad-account-usage"] = (
                f'{{"acc_id_util_pct": {self.account_usage}, "reset_time_duration": {self.reset_seconds}, '
                '"ads_api_access_tier": "standard_access"}'
            )
        if self.business_usage is not None:
            entry = self._business_entry(call_count=self.business_usage, regain=self.regain_minutes)
            headers["x-business-use-case-usage"] = json.dumps({BUSINESS_ID: [entry]})
        return headers

    @staticmethod
    def _business_entry(*, call_count: int, regain: int) -> dict:
        return {
            "type": "ads_management",
            "call_count": call_count,
            "total_cputime": 3,
            "total_time": 4,
            "estimated_time_to_regain_access": regain,
            "ads_api_access_tier": "standard_access",
        }

    # --- Facebook Login ---------------------------------------------------------------

    @property
    def dialog_url(self) -> str:
        return f"{self.url}/{self.version}/dialog/oauth"

    def _login(self, handler, params: dict) -> None:
        """The dialog (GET) or the person's decision on it (POST): a page, or the redirect back."""
        if "decision" not in params:
            status, page = self._dialog(params)
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
            return
        answer = {"state": params["state"]} if params.get("state") else {}
        if params["decision"] == "allow":
            code = f"AQfake-code-{secrets.token_urlsafe(12)}"
            with self._lock:
                self.codes[code] = params["redirect_uri"]
            answer["code"] = code
        else:
            answer = {"error": "access_denied", "error_code": "200", "error_description": "Permissions error",
                      "error_reason": "user_denied", **answer}  # fmt: skip
        handler.send_response(302)
        handler.send_header("Location", consent.back_to(params["redirect_uri"], answer))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _dialog(self, params: dict) -> tuple[int, bytes]:
        if params.get("client_id") != self.app_id:
            return 400, b"Invalid App ID: the app id in the request is not a Meta app."
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            return 400, b"URL blocked: the redirect URI is missing."
        if not (params.get("config_id") or params.get("scope")):
            return 400, b"Facebook Login for Business needs a config_id (or scope)."
        return 200, consent.page("Log in with Facebook", "Walker wants to manage your ad accounts.", params)

    def _access_token(self, params: dict) -> dict:
        if params.get("client_id") != self.app_id or params.get("client_secret") != self.app_secret:
            raise GraphError(400, 101, "Error validating application. Invalid application ID.")
        if params.get("grant_type") == "fb_exchange_token":
            with self._lock:
                known = params.get("fb_exchange_token") in self.short_tokens
            if not known:
                raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
            self.token = f"EAAGfakeLongLived{secrets.token_hex(12)}"
            return {"access_token": self.token, "token_type": "bearer", "expires_in": 5183944}
        with self._lock:
            redirect_uri = self.codes.pop(params.get("code", ""), None)
        if redirect_uri is None:
            raise GraphError(400, 100, "This authorization code has been used.", subcode=36009, kind="OAuthException")
        if params.get("redirect_uri") != redirect_uri:
            raise GraphError(400, 100, "Error validating verification code. Please make sure your redirect_uri is "
                             "identical to the one you used in the OAuth dialog request", subcode=36008)  # fmt: skip
        short = f"EAAGfakeShort{secrets.token_hex(8)}"
        with self._lock:
            self.short_tokens.add(short)
        return {"access_token": short, "token_type": "bearer", "expires_in": 5183}

    # --- the API ----------------------------------------------------------------------

    def _route(self, method: str, path: str, params: dict) -> dict:
        parts = path.split("/")
        node = parts[0]
        edge = parts[1] if len(parts) > 1 else None
        if len(parts) > 2:
            raise GraphError(400, 2500, f"Unknown path components: /{path}")
        if node == "me" and edge == "adaccounts" and method == "GET":
            reached = self.accounts if self.people_accounts is None else self.people_accounts
            return self._page(path, [_pick(self.accounts[a], params) for a in reached if a in self.accounts], params)
        if node in self.accounts:
            if edge is None and method == "GET":
                return _pick(self.accounts[node], params)
            if edge == "campaigns" and method == "GET":
                rows = [c for c in self.campaigns.values() if f"act_{c['account_id']}" == node]
                return self._page(path, [_pick(c, params) for c in rows], params)
            if edge == "insights" and method == "GET":
                return self._page(path, self._insights(node, params), params)
            if edge == "activities" and method == "GET":
                return self._page(path, self._activities(node, params), params)
            if edge == "insights" and method == "POST":
                return self._start_report(node, params)
        elif node in self.reports:
            if edge is None and method == "GET":
                return self._poll_report(node)
            if edge == "insights" and method == "GET":
                report = self.reports[node]
                if report["async_status"] != "Job Completed":
                    raise GraphError(400, 100, "The report is not ready yet")
                return self._page(path, self._insights(report["account"], report["query"]), params)
        elif node in self.ad_sets and edge is None and method == "GET":
            return _pick(self.ad_sets[node], params)
        elif node in self.campaigns and edge is None:
            if method == "GET":
                return _pick(self.campaigns[node], params)
            return self._write(self.campaigns[node], params)
        raise GraphError(
            400,
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            subcode=33,
            kind="GraphMethodException",
        )

    def _page(self, path: str, rows: list, params: dict) -> dict:
        limit = int(params.get("limit") or 25)
        start = int(base64.b64decode(params["after"]).decode()) if params.get("after") else 0
        page = rows[start : start + limit]
        body: dict = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}}
            if not self.paging_cursors:
                del body["paging"]["cursors"]
            if start + limit < len(rows):
                query = {**params, "access_token": self.token, "after": _cursor(start + limit)}
                body["paging"]["next"] = f"{self.url}/{self.version}/{path}?{urlencode(query)}"
        return body

    def _insights(self, account: str, params: dict) -> list[dict]:
        if params.get("time_increment") != "1":
            raise GraphError(400, 100, "Walker's fake answers daily insights only (time_increment=1)")
        span = json.loads(params["time_range"])
        first, last = date.fromisoformat(span["since"]), date.fromisoformat(span["until"])
        fields = params.get("fields", "").split(",")
        numeric = account.removeprefix("act_")
        rows: dict[tuple, dict] = {}
        for (campaign_id, day), figures in sorted(self.days.items(), key=lambda item: (item[0][1], item[0][0])):
            campaign = self.campaigns.get(campaign_id)
            if not campaign or campaign["account_id"] != numeric or not first <= day <= last:
                continue
            if params.get("level") == "campaign":
                rows[(campaign_id, day)] = {"campaign_id": campaign_id, **figures}
            else:
                total = rows.setdefault((day,), {"impressions": "0", "clicks": "0", "spend": "0"})
                for name in ("impressions", "clicks", "spend"):
                    total[name] = str(Decimal(total[name]) + Decimal(figures[name]))
                for name in ("actions", "action_values"):  # the account's total of each action type
                    summed = {a["action_type"]: Decimal(a["value"]) for a in total.get(name, [])}
                    for action in figures[name]:
                        summed[action["action_type"]] = summed.get(action["action_type"], 0) + Decimal(action["value"])
                    total[name] = [{"action_type": kind, "value": str(value)} for kind, value in summed.items()]
            key = (campaign_id, day) if params.get("level") == "campaign" else (day,)
            rows[key].update({"date_start": day.isoformat(), "date_stop": day.isoformat()})
        return [
            {k: v for k, v in row.items() if k in fields or k in ("date_start", "date_stop")} for row in rows.values()
        ]

    def _activities(self, account: str, params: dict) -> list[dict]:
        """The account's activities from `since` to `until` (Unix times, as Meta takes them), newest first, with
        the requested fields only."""
        try:
            since, until = int(params.get("since") or 0), int(params.get("until") or 2**40)
        except ValueError:
            raise GraphError(400, 100, "(#100) since and until must be Unix times or dates") from None
        fields = [name for name in params.get("fields", "").split(",") if name]
        rows = [
            event
            for event in self.activities
            if event["account"] == account
            and since <= datetime.strptime(event["event_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() <= until
        ]
        return [{name: event[name] for name in fields if name in event} for event in reversed(rows)]

    def _start_report(self, account: str, params: dict) -> dict:
        run = str(next(self._ids))
        self.reports[run] = {
            "id": run,
            "account": account,
            "query": params,
            "polls": 0,
            "async_status": "Job Not Started",
            "async_percent_completion": 0,
        }
        return {"report_run_id": run}

    def _poll_report(self, run: str) -> dict:
        report = self.reports[run]
        report["polls"] += 1
        if report["polls"] >= self.report_polls:
            report["async_status"] = self.report_outcome
            report["async_percent_completion"] = 100 if self.report_outcome == "Job Completed" else 0
        else:
            report["async_status"] = "Job Running"
            report["async_percent_completion"] = int(100 * report["polls"] / self.report_polls)
        span = json.loads(report["query"]["time_range"])
        answer = {
            "id": run,
            "account_id": report["account"].removeprefix("act_"),
            "async_status": report["async_status"],
            "async_percent_completion": report["async_percent_completion"],
            "date_start": span["since"],
            "date_stop": span["until"],
        }
        if report["async_status"] == "Job Failed":
            answer.update(
                error_code=-2,
                error_subcode=2490547,
                error_message="Report Failed",
                error_user_title="Report Failed",
                error_user_msg="Generating the report failed. Try again later.",
            )
        return answer

    def _write(self, campaign: dict, params: dict) -> dict:
        validate_only = "validate_only" in json.loads(params.get("execution_options") or "[]")
        changes = {}
        if "daily_budget" in params:
            units = int(params["daily_budget"])
            if "daily_budget" not in campaign:
                raise GraphError(
                    400,
                    100,
                    "Invalid parameter",
                    subcode=1885621,
                    error_user_msg="This campaign's budget is set on its ad sets.",
                )
            if units < MIN_DAILY_BUDGET_UNITS:
                raise GraphError(
                    400,
                    100,
                    "Invalid parameter",
                    subcode=1885272,
                    error_user_title="Your Budget Is Too Low",
                    error_user_msg="The minimum daily budget for this campaign is 1.00 in the account's currency.",
                )
            changes["daily_budget"] = str(units)
        if "status" in params:
            if params["status"] not in ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED"):
                raise GraphError(400, 100, "(#100) Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}")
            changes["status"] = changes["effective_status"] = params["status"]
        if not validate_only and self.apply_writes:
            changed = {k: v for k, v in changes.items() if k != "effective_status" and campaign.get(k) != v}
            if changed:
                self.record_activity(
                    campaign, changed, actor="Walker system user", application_id=self.app_id,
                    application_name=APP_NAME,
                )  # fmt: skip
            campaign.update(changes)
        return {"success": True}


def _public(params: dict) -> dict:
    return {k: v for k, v in params.items() if k not in ("client_secret", "fb_exchange_token", "code")}


def _pick(obj: dict, params: dict) -> dict:
    """The object with the requested fields only (and its id), those it has a value for, as Graph answers."""
    fields = [name for name in params.get("fields", "").split(",") if name]
    return {"id": obj["id"], **{name: obj[name] for name in fields if name in obj}}


def _cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _error(code: int, message: str, *, subcode=None, kind="OAuthException", **extra) -> dict:
    return {"error": GraphError(400, code, message, subcode=subcode, kind=kind, **extra).body}
