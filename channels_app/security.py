"""Which pages may open Walker's sockets: the site itself and the sites that embed the chat widget."""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


class BrowserOriginValidator:
    """Refuse sockets opened by pages of other origins, compared as Django's CSRF check compares a post's Origin:
    scheme, host and port. Allowed: the site's own origin (the Host the socket was opened on, one of
    ALLOWED_HOSTS, with https when the socket came over TLS or through a TLS proxy, SECURE_PROXY_SSL_HEADER),
    CSRF_TRUSTED_ORIGINS and CHAT_ALLOWED_ORIGINS (`https://*.example.com`: the domain and its subdomains).

    A socket without an Origin is let through: browsers always send one, so it is a non-browser client (a
    server-side integration, the benchmark), which cannot ride a user's cookies from another site and still has
    to authenticate.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("BrowserOriginValidator guards WebSocket connections only")
        origin = _header(scope, b"origin")
        if origin is None or _allowed(origin, scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


def _allowed(origin: str, scope) -> bool:
    given = _parts(origin)
    if given is None:  # "null" (a sandboxed frame, a file), or not an http(s) origin
        return False
    if given == _own_origin(scope):
        return True
    for trusted in (*settings.CSRF_TRUSTED_ORIGINS, *settings.CHAT_ALLOWED_ORIGINS):
        pattern = _parts(trusted)
        if pattern is None or (pattern[0], pattern[2]) != (given[0], given[2]):
            continue
        if pattern[1] == given[1] or (pattern[1].startswith("*.") and is_same_domain(given[1], pattern[1][1:])):
            return True
    return False


def _own_origin(scope) -> tuple[str, str, int] | None:
    host = _header(scope, b"host") or ""
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return _parts(f"{'https' if _secure(scope) else 'http'}://{host}")


def _secure(scope) -> bool:
    """As Django's request.is_secure(): over TLS, or through a proxy whose header says so."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    if proxy := settings.SECURE_PROXY_SSL_HEADER:
        name, secure = proxy
        value = _header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        return value is not None and value.split(",", 1)[0].strip() == secure
    return False


def _parts(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, the port written out; None for anything else."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:  # a port out of range, a bad IPv6 literal
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None
