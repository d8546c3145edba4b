"""Connect Google Ads: Google's OAuth 2.0 flow for web server applications with PKCE (S256) against Walker's own
OAuth client, offline access so Google answers with a refresh token; then the customers the person reaches:
`customers:listAccessibleCustomers`, and for each a `customer_client` query (through it as login customer) that
names it, says whether it is a manager and lists a manager's direct clients. oauthlib prepares the token request
and reads its answer (RFC 6749 errors as exceptions); httpx sends, as the Google Ads client does."""

from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient

from adplatforms import errors as platform_errors
from adplatforms.connect.choices import Choice
from adplatforms.connect.errors import ConnectFailed, provider_refused
from adplatforms.google import errors as google_errors

NAME = "Google Ads"
PKCE = True
SCOPE = "https://www.googleapis.com/auth/adwords"
SETTINGS = ("GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_OAUTH_CLIENT_SECRET", "GOOGLE_ADS_DEVELOPER_TOKEN")
CUSTOMERS = (
    "SELECT customer_client.id, customer_client.descriptive_name, customer_client.manager, customer_client.level, "
    "customer_client.currency_code, customer_client.time_zone FROM customer_client "
    "WHERE customer_client.level <= 1"
)


def authorize_url(*, state: str, challenge: str, redirect_uri: str) -> str:
    """Google's consent page: offline access (a refresh token) asked every time, so a reconnect gets a new one."""
    query = {
        "response_type": "code",
        "client_id": settings.GOOGLE_OAUTH_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
    }
    return f"{settings.GOOGLE_OAUTH_AUTHORIZE_URL}?{urlencode(query)}"


def exchange(code: str, *, verifier: str, redirect_uri: str) -> dict:
    """The tokens for `code` (access_token, refresh_token); ConnectFailed in plain words when Google refuses."""
    client = WebApplicationClient(settings.GOOGLE_OAUTH_CLIENT_ID)
    body = client.prepare_request_body(
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
        client_secret=settings.GOOGLE_OAUTH_CLIENT_SECRET,
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        with httpx.Client(timeout=settings.AD_PLATFORM_TIMEOUT) as http:
            response = http.post(settings.GOOGLE_OAUTH_TOKEN_URL, content=body, headers=headers)
    except httpx.HTTPError:
        raise ConnectFailed(_("Google's sign-in service could not be reached. Try again in a minute.")) from None
    try:
        token = client.parse_request_body_response(response.text)
    except OAuth2Error as refused:
        raise provider_refused(NAME, refused.description or refused.error) from None
    except ValueError:
        raise provider_refused(NAME, f"HTTP {response.status_code}") from None
    if SCOPE not in (token.get("scope") or []):
        raise ConnectFailed(
            _("Google Ads access was not granted (the box for Google Ads was left unticked). Press the button again "
              "and allow Google Ads.")
        )  # fmt: skip
    if not token.get("refresh_token"):
        raise provider_refused(NAME, _("no refresh token in the answer"))
    return {"access_token": token["access_token"], "refresh_token": token["refresh_token"]}


def finish(code: str, *, verifier: str, redirect_uri: str) -> tuple[list[Choice], dict]:
    """The accounts to pick from and the credentials a connection to one of them keeps: the refresh token and the
    client that issued it; the client secret and developer token stay the installation's (google.credentials)."""
    tokens = exchange(code, verifier=verifier, redirect_uri=redirect_uri)
    credentials = {
        "client_id": settings.GOOGLE_OAUTH_CLIENT_ID,
        "refresh_token": tokens["refresh_token"],
        "client_secret": "",
        "developer_token": "",
        "access_token": "",
    }
    return accounts(tokens["access_token"]), credentials


def accounts(access_token: str) -> list[Choice]:
    """The accounts to pick from: each reachable customer that is not a manager, and each manager's direct
    clients (reached through the manager, its id the login customer). A customer Google refuses to describe
    (cancelled, suspended) is left out."""
    with httpx.Client(timeout=settings.AD_PLATFORM_TIMEOUT) as http:
        listed = _call(http, "GET", f"{_base()}/customers:listAccessibleCustomers", access_token)
        found: dict[str, Choice] = {}
        for name in listed.get("resourceNames") or []:
            customer_id = name.rsplit("/", 1)[-1]
            try:
                rows = _call(
                    http,
                    "POST",
                    f"{_base()}/customers/{customer_id}/googleAds:search",
                    access_token,
                    login=customer_id,
                    json={"query": CUSTOMERS},
                ).get("results", [])
            except ConnectFailed:
                continue
            for row in rows:
                client = row.get("customerClient") or {}
                if client.get("manager"):
                    continue
                choice = Choice(
                    account_id=str(client.get("id", "")),
                    name=client.get("descriptiveName", ""),
                    currency=client.get("currencyCode", ""),
                    time_zone=client.get("timeZone", ""),
                    manager_id="" if int(client.get("level", 0)) == 0 else customer_id,
                )
                if choice.account_id not in found or not choice.manager_id:  # direct access wins
                    found[choice.account_id] = choice
    return sorted(found.values(), key=lambda c: (c.manager_id, c.name.lower(), c.account_id))


def _base() -> str:
    return f"{settings.GOOGLE_ADS_API_URL}/{settings.GOOGLE_ADS_API_VERSION}"


def _call(http: httpx.Client, method: str, url: str, access_token: str, *, login: str = "", **kwargs) -> dict:
    headers = {"Authorization": f"Bearer {access_token}", "developer-token": settings.GOOGLE_ADS_DEVELOPER_TOKEN}
    if login:
        headers["login-customer-id"] = login
    try:
        response = http.request(method, url, headers=headers, **kwargs)
    except httpx.HTTPError:
        raise ConnectFailed(_("Google Ads could not be reached. Try again in a minute.")) from None
    if response.is_success:
        return response.json()
    error = google_errors.from_response(
        response, secrets=(access_token, settings.GOOGLE_ADS_DEVELOPER_TOKEN)
    )  # fmt: skip
    if isinstance(error, platform_errors.PermissionDenied) and "DEVELOPER_TOKEN" in error.code:
        raise ConnectFailed(
            _("Google Ads refused this installation's developer token (%(code)s): the operator must fix "
              "GOOGLE_ADS_DEVELOPER_TOKEN.") % {"code": error.code}
        )  # fmt: skip
    raise provider_refused(NAME, error.detail)
