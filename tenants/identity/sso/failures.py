"""A sign-in through a tenant's provider that did not work, shown as a plain page saying why, with the ways back
(the company sign-in, the password sign-in): a cancel at the provider, the provider's own error, a state that is
not this browser's, and every failure of discovery, the keys, the token exchange or the user info."""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TEMPLATE = "socialaccount/authentication_error.html"


def page(request, reason: str, detail: str = "", status: int = 401):
    return render(request, TEMPLATE, {"reason": reason, "detail": detail}, status=status)


def reason_for(error, exception) -> tuple[str, str, int]:
    """What the person reads, what their admin needs (the provider's problem, in Walker's words), and the status."""
    if error == AuthError.CANCELLED:
        return _("The sign-in was cancelled at your company's provider: nothing was changed."), "", 400
    if isinstance(exception, OAuth2Error):
        return _("Your company's provider could not sign you in."), str(exception), 401
    if exception is not None:
        return _("Your company's provider could not sign you in."), "", 401
    return (
        _(
            "This sign-in could not be completed: it was refused by your company's provider, or started in another "
            "browser or too long ago. Start it again."
        ),
        "",
        401,
    )


def stop_with_page(request, error, exception) -> None:
    """allauth's on_authentication_error: answer with Walker's page (allauth's would send a cancel to a page Walker
    does not serve). The log names the kind of failure, never the person."""
    reason, detail, status = reason_for(error, exception)
    logger.info("single sign-on failed: %s %s", error, type(exception).__name__ if exception else "")
    raise ImmediateHttpResponse(page(request, reason, detail, status))
