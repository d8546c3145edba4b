"""Where a person goes after adding a second factor. allauth ends the adding on the recovery codes page, which has no
way on; a wall that sends someone to add one (step_up.step_up_url, the MFA policy) names where they were going as
`/accounts/2fa/?next=<page>`, remembered here when that page opens, and the recovery codes page's "Continue" goes
there, once; otherwise home."""

from allauth.mfa.base import views as mfa_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

AFTER_FACTOR_KEY = "walker_after_factor"


def index(request, *args, **kwargs):
    """allauth's MFA page, remembering a `next` on this site."""
    then = request.GET.get("next", "")
    if request.user.is_authenticated and url_has_allowed_host_and_scheme(
        then, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[AFTER_FACTOR_KEY] = then
    return mfa_views.index(request, *args, **kwargs)


@login_required
def continue_on(request):
    return redirect(request.session.pop(AFTER_FACTOR_KEY, None) or "home")
