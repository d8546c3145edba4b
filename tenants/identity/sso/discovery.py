"""Reading a provider's OpenID configuration and its signing keys, with what is wrong said in plain words.

Every request goes to the tenant-set issuer through tenants.outbound (public addresses only, no redirects), like
the other URLs a tenant sets; the endpoints the configuration names are checked the same way before they are used.
"""

import json

import httpx
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.utils.translation import gettext as _

from tenants import outbound

TIMEOUT_SECONDS = 5
WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")


class DiscoveryError(OAuth2Error):
    """The provider cannot be used as configured; the message says why, for the tenant's admin. An OAuth2Error, so
    allauth shows a sign-in that meets it as a failed sign-in."""


def provider_request(
    method: str, url: str, *, error: type[OAuth2Error] = DiscoveryError, timeout: float = TIMEOUT_SECONDS, **kwargs
) -> httpx.Response:
    """One request to the provider through tenants.outbound; a refused address, a timeout or a failed connection is
    `error`, in plain words (the sign-in's token exchange uses it too)."""
    try:
        with outbound.public_client(url) as client:
            return client.request(method, url, timeout=timeout, **kwargs)
    except outbound.OutboundURLRefused as err:
        raise error(_("Walker may not connect to %(url)s: %(reason)s.") % {"url": url, "reason": err}) from None
    except httpx.TimeoutException:
        raise error(
            _("%(url)s did not answer within %(seconds)s seconds.") % {"url": url, "seconds": timeout}
        ) from None
    except httpx.HTTPError:
        raise error(_("Walker could not connect to %(url)s.") % {"url": url}) from None


def fetch_json(url: str, what: str, headers: dict | None = None) -> dict:
    """A JSON object from the provider, or DiscoveryError naming `what` was expected there."""
    response = provider_request("GET", url, headers={"Accept": "application/json", **(headers or {})})
    if response.status_code != 200:
        raise DiscoveryError(
            _("%(url)s answered HTTP %(status)s instead of %(what)s: check the issuer URL.")
            % {"url": url, "status": response.status_code, "what": what}
        )
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise DiscoveryError(_("%(url)s did not answer with %(what)s (no JSON object).") % {"url": url, "what": what})
    return data


def discover(issuer: str) -> dict:
    """The provider's configuration, checked: it names this issuer and the endpoints a sign-in needs, all of them
    addresses Walker may reach, and it supports PKCE with S256 when it lists its methods."""
    issuer = issuer.rstrip("/")
    config = fetch_json(issuer + WELL_KNOWN, _("the OpenID configuration"))
    missing = [name for name in REQUIRED if not isinstance(config.get(name), str) or not config[name]]
    if missing:
        raise DiscoveryError(_("The configuration lacks %(names)s.") % {"names": ", ".join(missing)})
    if config["issuer"].rstrip("/") != issuer:
        raise DiscoveryError(
            _("The provider calls itself %(theirs)s, not %(ours)s: the issuer URL must be the provider's own.")
            % {"theirs": config["issuer"], "ours": issuer}
        )
    for name in ENDPOINTS:
        if name in config:
            try:
                outbound.check_url(config[name])
            except outbound.OutboundURLRefused as err:
                raise DiscoveryError(
                    _("Its %(name)s %(url)s is not an address Walker may connect to: %(reason)s.")
                    % {"name": name, "url": config[name], "reason": err}
                ) from None
    methods = config.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise DiscoveryError(_("The provider does not support PKCE with S256, which Walker requires."))
    return config


def signing_keys(config: dict) -> dict:
    """The provider's JSON Web Key Set, with at least one key."""
    keys = fetch_json(config["jwks_uri"], _("the signing keys"))
    if not isinstance(keys.get("keys"), list) or not keys["keys"]:
        raise DiscoveryError(_("The provider's key set at %(url)s holds no keys.") % {"url": config["jwks_uri"]})
    return keys


def check(issuer: str) -> str:
    """The console's "Test discovery": what was found, or DiscoveryError saying what is wrong."""
    config = discover(issuer)
    keys = signing_keys(config)
    return _("The provider answers: %(issuer)s, %(count)s signing key(s), sign-in at %(authorize)s.") % {
        "issuer": config["issuer"],
        "count": len(keys["keys"]),
        "authorize": config["authorization_endpoint"],
    }
