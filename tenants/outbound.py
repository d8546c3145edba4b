"""Requests to URLs a tenant sets (action webhook, Slack): only to public addresses, never to Walker's own network.

A tenant admin could otherwise point a webhook at the cloud metadata service or a
service on the worker's loopback, and read the answer. So:

- the URL must be https (http only when OUTBOUND_ALLOW_HTTP, on by default in DEBUG);
- the host is resolved when the request is made and every address must be public
  (or inside OUTBOUND_ALLOWED_NETWORKS); the connection goes to the address that was
  checked, so a DNS answer that changes in between cannot slip through;
- an IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4, Teredo)
  must carry a public one too: a translator or tunnel would deliver to it;
- redirects are not followed, and callers keep only the status of the answer.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError


class OutboundURLRefused(Exception):
    """The URL or the address it resolves to is not one Walker may send to; retrying will not help."""


def _allowed_networks():
    return [ipaddress.ip_network(net, strict=False) for net in settings.OUTBOUND_ALLOWED_NETWORKS]


IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d (RFC 4291, deprecated)
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # a translator sends it on to the last 32 bits (RFC 6052)
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")  # an operator's own translators (RFC 8215): never public


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to through a translator or a tunnel (6to4, Teredo)."""
    if ip in IPV4_COMPATIBLE or ip in NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)  # the server and the client
    return []


def _listed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(ip in network for network in _allowed_networks())


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return _listed(ip) or (ip.is_global and not ip.is_multicast)


def address_allowed(address: str) -> bool:
    """Whether the address, and every IPv4 address it carries, is public (or in OUTBOUND_ALLOWED_NETWORKS)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return _allowed(ip)
    if ip in NAT64_LOCAL_USE:
        return _listed(ip)
    return _allowed(ip) and all(_allowed(embedded) for embedded in _embedded_ipv4(ip))


def check_url(url: str) -> str:
    """The URL's host; OutboundURLRefused if the scheme, the form or a literal address is not allowed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        raise OutboundURLRefused("the URL cannot be read") from None
    allowed_schemes = ("https", "http") if settings.OUTBOUND_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed_schemes:
        raise OutboundURLRefused(f"the URL must start with {' or '.join(f'{s}://' for s in allowed_schemes)}")
    if not host:
        raise OutboundURLRefused("the URL names no host")
    if parts.username or parts.password:
        raise OutboundURLRefused("the URL may not carry a user name or password")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if (literal is not None and not address_allowed(host)) or host == "localhost" or host.endswith(".localhost"):
        raise OutboundURLRefused(f"{host} is not a public address")
    return host


def validate_outbound_url(url: str) -> None:
    """Model field validator: what can be told without DNS (the address is checked again at send time)."""
    try:
        check_url(url)
    except OutboundURLRefused as err:
        raise ValidationError(f"Walker cannot send to this URL: {err}.") from None


class PublicOnlyBackend(httpcore.SyncBackend):
    """Resolves the host itself and connects only to an address that is allowed."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve") from exc
        addresses = [info[4][0] for info in infos]
        refused = [address for address in addresses if not address_allowed(address)]
        if refused or not addresses:
            raise OutboundURLRefused(f"{host} resolves to an address that is not public")
        for address in addresses[:-1]:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue  # the next address of the host
        return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's transport with the connection pool on PublicOnlyBackend; no proxies from the environment."""

    def __init__(self):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=PublicOnlyBackend()
        )


def public_client(url: str) -> httpx.Client:
    """An httpx client for a tenant-set URL: checked, public addresses only, redirects not followed."""
    check_url(url)
    return httpx.Client(transport=PublicOnlyTransport(), follow_redirects=False, trust_env=False)


def post(url: str, **kwargs) -> httpx.Response:
    """POST to a tenant-set URL: checked, public addresses only, redirects not followed."""
    check_url(url)
    with httpx.Client(transport=PublicOnlyTransport(), follow_redirects=False, trust_env=False) as client:
        return client.post(url, **kwargs)
