"""bin/run-prod-shape's nginx routes as the cluster's ingress does (deploy/base/ingress.yaml): the same body limit,
the same socket timeouts and buffering, TLS with plain HTTP only redirecting. The production-shape test
(tests/prodshape) runs it; this reads the two files, so a change to one without the other fails at once."""

import re

import pytest

from tests.deploy.tools import ROOT

pytestmark = pytest.mark.shape_free  # tests/shape_free.py

TEMPLATE = (ROOT / "deploy" / "nginx" / "walker.conf.template").read_text()
INGRESSES = (ROOT / "deploy" / "base" / "ingress.yaml").read_text().split("\n---\n")


def annotations(ingress_name: str) -> dict[str, str]:
    (document,) = [d for d in INGRESSES if re.search(rf"^  name: {ingress_name}$", d, re.M)]
    return dict(re.findall(r'^    nginx\.ingress\.kubernetes\.io/([\w-]+): "?([^"\n]+)"?$', document, re.M))


def location(path: str) -> str:
    return re.search(rf"location {re.escape(path)} {{(.*?)}}", TEMPLATE, re.S)[1]


def directive(block: str, name: str) -> str:
    return re.search(rf"^\s*{name} ([^;]+);", block, re.M)[1]


def test_sockets_get_the_ingress_timeouts_and_no_buffering():
    ingress, sockets = annotations("walker-websocket"), location("/ws/")
    assert directive(sockets, "proxy_read_timeout") == f"{ingress['proxy-read-timeout']}s"
    assert directive(sockets, "proxy_send_timeout") == f"{ingress['proxy-send-timeout']}s"
    assert directive(sockets, "proxy_buffering") == ingress["proxy-buffering"] == "off"
    assert directive(sockets, "proxy_pass") == "http://walker_websocket"


def test_everything_else_gets_the_web_limits():
    ingress, web = annotations("walker-web"), location("/")
    assert directive(TEMPLATE, "client_max_body_size") == ingress["proxy-body-size"]
    assert directive(TEMPLATE, "proxy_request_buffering") == ingress["proxy-request-buffering"]
    assert directive(web, "proxy_read_timeout") == f"{ingress['proxy-read-timeout']}s"
    assert directive(web, "proxy_pass") == "http://walker_web"


def test_tls_and_the_forwarded_headers_walker_trusts_one_proxy_for():
    assert all(annotations(name)["force-ssl-redirect"] == "true" for name in ("walker-web", "walker-websocket"))
    assert "listen @HOST@:@HTTPS_PORT@ ssl;" in TEMPLATE
    assert "return 308 https://$host:@HTTPS_PORT@$request_uri;" in TEMPLATE
    # Replaced, not appended to: what a client wrote never reaches Walker (NUM_PROXIES=1 reads the last entry).
    assert directive(TEMPLATE, "proxy_set_header X-Forwarded-For") == "$remote_addr"
    assert directive(TEMPLATE, "proxy_set_header X-Forwarded-Proto") == "$scheme"


def test_daphne_is_reached_only_through_the_proxy_or_on_loopback():
    """daphne holds a whole body before Walker can refuse it (docs/deploy.md, "The proxy is mandatory"): the
    production shape binds every daphne to loopback behind nginx, and `make run` binds to loopback by default."""
    prod_shape = (ROOT / "bin" / "run-prod-shape").read_text()
    assert re.search(r"^  start \"\$1\" \"\$\{1%-\*\}\" --bind 127\.0\.0\.1$", prod_shape, re.M)
    assert "server 127.0.0.1:%s" in prod_shape
    run_local = (ROOT / "bin" / "run-local").read_text()
    assert "HOST=${WALKER_HOST:-127.0.0.1}" in run_local and '-b "$HOST"' in run_local
