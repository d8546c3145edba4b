"""The outbound guard reads IPv4 addresses carried inside IPv6 ones (issue 29): an internal address in any of
those forms is refused, a public one still passes."""

import socket

import pytest

from tenants import outbound

REFUSED = [
    ("127.0.0.1", "IPv4 loopback"),
    ("::1", "IPv6 loopback"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:169.254.169.254", "IPv4-mapped metadata service"),
    ("::127.0.0.1", "IPv4-compatible loopback"),
    ("::10.0.0.8", "IPv4-compatible private"),
    ("::169.254.169.254", "IPv4-compatible metadata service"),
    ("64:ff9b::127.0.0.1", "NAT64 well-known prefix, loopback"),
    ("64:ff9b::a9fe:a9fe", "NAT64 well-known prefix, metadata service"),
    ("64:ff9b::192.168.1.10", "NAT64 well-known prefix, private"),
    ("64:ff9b:1::7f00:1", "NAT64 local-use prefix"),
    ("64:ff9b:1:808:8:800::", "NAT64 local-use prefix, even to a public address"),
    ("2002:7f00:1::1", "6to4 of loopback"),
    ("2002:a9fe:a9fe::1", "6to4 of the metadata service"),
    ("2002:a00:8::1", "6to4 of a private address"),
    ("2001:0:808:808:0:0:80ff:fefe", "Teredo, client 127.0.1.1"),
    ("2001:0:a00:8:0:0:f7f7:f7f7", "Teredo, server 10.0.0.8"),
]

ALLOWED = [
    ("8.8.8.8", "public IPv4"),
    ("2606:4700:4700::1111", "public IPv6"),
    ("::ffff:8.8.8.8", "IPv4-mapped public"),
    ("::8.8.8.8", "IPv4-compatible public"),
    ("64:ff9b::8.8.8.8", "NAT64 well-known prefix, public"),
    ("2002:808:808::1", "6to4 of a public address"),
]


@pytest.mark.parametrize(("address", "form"), REFUSED, ids=[form for _, form in REFUSED])
def test_an_internal_address_is_refused_in_every_form(address, form):
    assert not outbound.address_allowed(address)
    with pytest.raises(outbound.OutboundURLRefused, match="not a public address"):
        outbound.check_url(f"https://[{address}]/hook" if ":" in address else f"https://{address}/hook")


@pytest.mark.parametrize(("address", "form"), ALLOWED, ids=[form for _, form in ALLOWED])
def test_a_public_address_passes_in_every_form(address, form):
    assert outbound.address_allowed(address)


def test_a_host_resolving_to_an_embedded_internal_address_is_refused_at_connect(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a9fe:a9fe", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(outbound.OutboundURLRefused, match="not public"):
        outbound.post("https://hooks.example.com/hook", content=b"{}", timeout=1)


@pytest.mark.parametrize("address", ["127.0.0.1", "::ffff:127.0.0.1"])
def test_an_allowed_network_stays_allowed(settings, address):
    """The suite's fake receivers listen on 127.0.0.1, reached under OUTBOUND_ALLOWED_NETWORKS."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert outbound.address_allowed(address)
    assert not outbound.address_allowed("::ffff:127.0.0.2")
