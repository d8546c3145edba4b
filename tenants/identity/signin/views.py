"""Ending one of one's own sessions from the sessions page (allauth's page ends all the others at once)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants.access import AccessDenied
from tenants.identity.signin.sessions import end_own_session


@require_POST
@login_required
def end_session(request, session_id: int):
    try:
        ended = end_own_session(request.user, session_id)
    except AccessDenied:
        raise Http404 from None  # another person's, or already ended
    if ended.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    messages.success(request, _("That session has ended: the browser is signed out."))
    return redirect("usersessions_list")
