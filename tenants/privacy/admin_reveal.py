"""Revealing personal data on a console page: the reason is posted (with its CSRF token), never put in an address.

The post checks the reader and the reason, keeps a one-time grant in the reader's session and sends the browser
to the page with the grant's random token (Post/Redirect/Get). The page spends the grant: it shows the data once
and records the reveal with its reason. A reload, the address shared with someone else, or the back button finds
no grant and shows the page masked; a reason never appears in an address, the browser's history or a log line.
"""

import secrets
import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext

from tenants.identity.signin import step_up
from tenants.privacy.audit import REASON_MAX, may_see_pii

GRANTS = "pii_reveal_grants"  # session key: {token: {"object": "<label>:<pk>", "reason": ..., "until": epoch}}
GRANT_PARAM = "revealed"  # the page's query parameter naming the grant (a random token, nothing else)
GRANT_SECONDS = 120  # time to follow the redirect; a grant is spent at its first use anyway
HELD_REVEAL = "pii_reveal_held"  # session key: a reveal asked while the second factor was stale, until it is shown


def _object_key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def grant(request, obj, reason: str) -> str:
    """A one-time grant to show `obj` revealed, for `reason`; its token goes in the page's address."""
    now = time.time()
    kept = {token: g for token, g in request.session.get(GRANTS, {}).items() if g["until"] > now}
    token = secrets.token_urlsafe(16)
    kept[token] = {"object": _object_key(obj), "reason": reason, "until": now + GRANT_SECONDS}
    request.session[GRANTS] = kept
    return token


def spend(request, obj) -> str | None:
    """The reason of the grant the page's address names, if it is for `obj` and still good; it is used up."""
    token = request.GET.get(GRANT_PARAM)
    grants = request.session.get(GRANTS) or {}
    if not token or token not in grants:
        return None
    found = grants.pop(token)
    request.session[GRANTS] = grants
    if found["object"] != _object_key(obj) or found["until"] <= time.time():
        return None
    return found["reason"]


class RevealAdminMixin:
    """Adds `<object_id>/reveal/` (POST only) to a monitored admin; the change view calls `revealed_reason`."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.reveal_view)  # the admin's views are CSRF-protected
        return [path("<path:object_id>/reveal/", view, name="{}_{}_reveal".format(*info)), *super().get_urls()]

    def reveal_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_reveal", args=[obj.pk])

    def reveal_view(self, request, object_id):
        """POST asks for a reveal; GET comes back from showing a second factor (step-up) with the reveal it held."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        asked = request.POST if request.method == "POST" else self._held_reveal(request, obj)
        if (
            request.method == "GET" and not asked
        ):  # a GET only comes back from showing a second factor with the reveal it held
            return HttpResponseNotAllowed(["POST"])
        query = {"page": asked["page"]} if str(asked.get("page", "")).isdigit() else {}
        reason = asked.get("reason", "").strip()[:REASON_MAX]
        if not may_see_pii(request.user, obj.tenant):
            messages.warning(request, gettext("You may not view this tenant's personal data; it stays masked."))
        elif not reason:
            messages.warning(request, gettext("Say why you need to see personal data; it stays masked until you do."))
        elif not step_up.satisfied(request, request.user, obj.tenant):
            return self._hold_for_step_up(request, obj, reason, query)
        else:
            query[GRANT_PARAM] = grant(request, obj, reason)
        return HttpResponseRedirect(f"{page}?{urlencode(query)}" if query else page)

    def _hold_for_step_up(self, request, obj, reason, query):
        """Keep the reason while the person shows a second factor; they come back to this view's GET."""
        request.session[HELD_REVEAL] = {"object": _object_key(obj), "reason": reason, **query}
        messages.info(request, step_up.asked_to_show(request.user, gettext("see the personal data")))
        return HttpResponseRedirect(step_up.step_up_url(request.user, self.reveal_url(obj)))

    def _held_reveal(self, request, obj) -> dict:
        held = request.session.pop(HELD_REVEAL, None) or {}
        return held if held.get("object") == _object_key(obj) else {}

    def revealed_reason(self, request, obj) -> str | None:
        """The reason this view may show `obj` revealed, or None; an address whose grant is spent says so."""
        reason = spend(request, obj)
        if reason is None and GRANT_PARAM in request.GET:
            messages.info(
                request,
                gettext(
                    "Personal data is masked again: a reveal shows the page once. Give your reason again to see it."
                ),
            )
        return reason
