"""Every Graph error Walker can meet lands in the error the caller acts on, in Meta's words, never with the token."""

import pytest

from adplatforms import errors
from adplatforms.meta.errors import from_graph

SECRET = "EAAGsecret"


def graph(code, message="Something", *, subcode=None, **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Xy", **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (400, graph(4), errors.RateLimited, "4"),
        (400, graph(17, subcode=2446079), errors.RateLimited, "17/2446079"),
        (400, graph(32), errors.RateLimited, "32"),
        (400, graph(613, subcode=1487742), errors.RateLimited, "613/1487742"),
        (400, graph(80000), errors.RateLimited, "80000"),
        (400, graph(80004), errors.RateLimited, "80004"),
        (400, graph(80014), errors.RateLimited, "80014"),
        (400, graph(190), errors.AuthorizationExpired, "190"),
        (400, graph(102), errors.AuthorizationExpired, "102"),
        (400, graph(190, subcode=463), errors.AuthorizationExpired, "190/463"),
        (400, graph(467), errors.AuthorizationExpired, "467"),
        (403, graph(10), errors.PermissionDenied, "10"),
        (403, graph(200), errors.PermissionDenied, "200"),
        (403, graph(294), errors.PermissionDenied, "294"),
        (400, graph(100, subcode=33), errors.NotFound, "100/33"),
        (404, graph(803), errors.NotFound, "803"),
        (400, graph(100), errors.InvalidRequest, "100"),
        (400, graph(368), errors.InvalidRequest, "368"),
        (500, graph(1), errors.Unavailable, "1"),
        (400, graph(2), errors.Unavailable, "2"),
        (400, graph(1234, is_transient=True), errors.Unavailable, "1234"),
        (503, graph(1234), errors.Unavailable, "1234"),
    ],
)
def test_graph_codes(status, body, kind, code):
    error = from_graph(status, body, retry_after=None, secret=SECRET)
    assert type(error) is kind
    assert error.code == code
    assert f"(Meta error {code})" in error.detail


@pytest.mark.parametrize(("code", "scope"), [(4, "app"), (17, "account"), (613, "account"), (80004, "account")])
def test_a_quota_says_whose_it_is_and_how_long_to_wait(code, scope):
    error = from_graph(400, graph(code), retry_after=600, secret=SECRET)
    assert (error.scope, error.retry_after, error.retryable) == (scope, 600, True)


def test_metas_words_for_people_come_first():
    body = graph(100, "Invalid parameter", subcode=1885272, error_user_msg="Your budget is too low.")
    assert from_graph(400, body, retry_after=None, secret=SECRET).detail == (
        "Your budget is too low. (Meta error 100/1885272)"
    )


def test_a_token_meta_writes_back_is_struck_out():
    error = from_graph(400, graph(100, f"Bad value near {SECRET}"), retry_after=None, secret=SECRET)
    assert SECRET not in error.detail
    assert "[token]" in error.detail


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (429, None, errors.RateLimited),
        (502, None, errors.Unavailable),
        (502, {"html": "bad gateway"}, errors.Unavailable),
        (400, None, errors.InvalidRequest),
        (400, {"error": "a string, not an object"}, errors.InvalidRequest),
    ],
)
def test_an_answer_without_a_graph_error_still_says_what_happened(status, body, kind):
    error = from_graph(status, body, retry_after=None, secret=SECRET)
    assert type(error) is kind
    assert f"HTTP {status}" in error.detail
