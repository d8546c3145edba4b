"""Google Ads' refusals (google.rpc.Status with a GoogleAdsFailure) as adplatforms.errors."""

import httpx
import pytest

from adplatforms import errors
from adplatforms.google import errors as google_errors
from adplatforms.simulator.google import error

FAILURE = "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure"


def status(http: int, name: str, *failures: dict, extra: tuple = ()) -> dict:
    details = [{"@type": FAILURE, "errors": list(failures), "requestId": "r1"}] if failures else []
    return {"code": http, "message": "Request failed.", "status": name, "details": [*details, *extra]}


@pytest.mark.parametrize(
    ("code", "http", "kind"),
    [
        ({"authenticationError": "OAUTH_TOKEN_REVOKED"}, 401, errors.AuthorizationExpired),
        ({"authenticationError": "GOOGLE_ACCOUNT_DELETED"}, 401, errors.AuthorizationExpired),
        ({"authenticationError": "NOT_ADS_USER"}, 401, errors.PermissionDenied),
        ({"authenticationError": "CUSTOMER_NOT_FOUND"}, 400, errors.NotFound),
        ({"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"}, 403, errors.PermissionDenied),
        ({"authorizationError": "CUSTOMER_NOT_ENABLED"}, 403, errors.PermissionDenied),
        ({"fieldError": "REQUIRED"}, 400, errors.InvalidRequest),
        ({"rangeError": "TOO_LOW"}, 400, errors.InvalidRequest),
        ({"campaignBudgetError": "MONEY_AMOUNT_TOO_LARGE"}, 400, errors.InvalidRequest),
        ({"requestError": "INVALID_INPUT"}, 400, errors.InvalidRequest),
        ({"requestError": "EXPIRED_PAGE_TOKEN"}, 400, errors.ExpiredPageToken),
        ({"mutateError": "RESOURCE_NOT_FOUND"}, 400, errors.NotFound),
        ({"campaignBudgetError": "CAMPAIGN_BUDGET_REMOVED"}, 400, errors.NotFound),
        ({"internalError": "TRANSIENT_ERROR"}, 500, errors.Unavailable),
        ({"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"}, 429, errors.RateLimited),
    ],
)
def test_the_first_errors_code_decides_the_kind(code, http, kind):
    refused = google_errors.from_status(http, status(http, "X", error(code, "Something happened.")))

    assert type(refused) is kind
    assert refused.code == next(iter(code.values()))


def test_the_detail_names_each_error_its_field_and_code():
    refused = google_errors.from_status(
        400,
        status(
            400,
            "INVALID_ARGUMENT",
            error({"fieldError": "REQUIRED"}, "The required field was not present.", location=[("name", None)]),
            error({"rangeError": "TOO_LOW"}, "Too low."),
            error({"rangeError": "TOO_HIGH"}, "Too high."),
            error({"rangeError": "TOO_HIGH"}, "Too high again."),
        ),
    )

    assert refused.detail == (
        "Google Ads: The required field was not present [name] (REQUIRED); Too low (TOO_LOW); Too high (TOO_HIGH) "
        "(and 1 more)"
    )


def test_a_quota_without_its_details_takes_the_delay_of_the_retry_info():
    retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}
    refused = google_errors.from_status(
        429, status(429, "RESOURCE_EXHAUSTED", error({"quotaError": "RESOURCE_EXHAUSTED"}, "Too many."), extra=(retry,))
    )

    assert (refused.retry_after, refused.scope) == (1.5, "account")


@pytest.mark.parametrize(
    ("http", "kind"),
    [
        (429, errors.RateLimited),
        (500, errors.Unavailable),
        (503, errors.Unavailable),
        (401, errors.AuthorizationExpired),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (400, errors.InvalidRequest),
    ],
)
def test_without_a_google_ads_failure_the_http_status_decides(http, kind):
    refused = google_errors.from_response(httpx.Response(http, text="<html>Bad gateway</html>"))

    assert type(refused) is kind
    assert refused.detail == f"Google Ads answered HTTP {http}"


def test_a_secret_in_googles_text_is_redacted():
    body = {"error": status(400, "INVALID_ARGUMENT", error({"requestError": "INVALID_INPUT"}, "Bad token tok-123."))}
    refused = google_errors.from_response(httpx.Response(400, json=body), secrets=("tok-123", ""))

    assert refused.detail == "Google Ads: Bad token [redacted] (INVALID_INPUT)"
    assert "tok-123" not in str(refused)
