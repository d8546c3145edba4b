"""Connect Meta: Facebook Login for Business (the login dialog with the app's configuration, or its permissions by
scope), the code exchanged for a user access token and that for a long-lived one (`fb_exchange_token`, about 60
days), then the person's ad accounts (`me/adaccounts`), the disabled and closed left out. Meta's manual login flow
documents no PKCE for this dialog (only its OIDC flow, in testing), so the state alone binds the answer."""

from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from adplatforms import errors as platform_errors
from adplatforms.connect.choices import Choice
from adplatforms.connect.errors import ConnectFailed, provider_refused
from adplatforms.meta.client import UNUSABLE_ACCOUNT
from adplatforms.meta.errors import from_graph
from adplatforms.meta.graph import Graph

NAME = "Meta"
PKCE = False
SETTINGS = ("META_APP_ID", "META_APP_SECRET")
SCOPES = "ads_management,ads_read,business_management"
ACCOUNT_FIELDS = "account_id,name,currency,timezone_name,account_status"


def authorize_url(*, state: str, challenge: str, redirect_uri: str) -> str:
    query = {"client_id": settings.META_APP_ID, "redirect_uri": redirect_uri, "state": state, "response_type": "code"}
    if settings.META_LOGIN_CONFIG_ID:
        query |= {"config_id": settings.META_LOGIN_CONFIG_ID, "override_default_response_type": "true"}
    else:
        query["scope"] = SCOPES
    return f"{settings.META_OAUTH_DIALOG_URL}/{settings.META_GRAPH_API_VERSION}/dialog/oauth?{urlencode(query)}"


def finish(code: str, *, verifier: str, redirect_uri: str) -> tuple[list[Choice], dict]:
    """The ad accounts to pick from and the credentials a connection to one of them keeps."""
    app = {"client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET}
    short = _token({**app, "redirect_uri": redirect_uri, "code": code})
    long_lived = _token({**app, "grant_type": "fb_exchange_token", "fb_exchange_token": short})
    try:
        with httpx.Client() as http:
            rows = list(Graph(long_lived, http=http).pages("me/adaccounts", {"fields": ACCOUNT_FIELDS, "limit": 100}))
    except platform_errors.PlatformError as err:
        raise provider_refused(NAME, err.detail) from None
    choices = [
        Choice(
            account_id=row["id"],
            name=row.get("name", ""),
            currency=row.get("currency", ""),
            time_zone=row.get("timezone_name", ""),
        )
        for row in rows
        if int(row.get("account_status", 1)) not in UNUSABLE_ACCOUNT
    ]
    credentials = {"access_token": long_lived, "app_id": settings.META_APP_ID}
    return sorted(choices, key=lambda c: (c.name.lower(), c.account_id)), credentials


def _token(params: dict) -> str:
    url = f"{settings.META_GRAPH_API_URL}/{settings.META_GRAPH_API_VERSION}/oauth/access_token"
    try:
        with httpx.Client(timeout=settings.AD_PLATFORM_TIMEOUT) as http:
            response = http.get(url, params=params)
    except httpx.HTTPError:
        raise ConnectFailed(_("Facebook could not be reached. Try again in a minute.")) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_error or not isinstance(body, dict) or not body.get("access_token"):
        err = from_graph(response.status_code, body, retry_after=None, secret=settings.META_APP_SECRET)
        raise provider_refused(NAME, err.detail)
    return body["access_token"]
