"""One-click decisions from approval emails.

GET only shows what the link would do: mail scanners and link previews fetch
links, so a GET must never decide. The form POSTs back to the same URL, which
decides as the approver the signed link names; nobody needs to be signed in. A
browser signed in as someone else is refused: the link is a credential only for a
signed-out browser, so nobody acts as another person without noticing.
"""

from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hitl import links, presentation
from hitl.access import approvals_for
from hitl.errors import DecisionError, StepUpRequired
from hitl.links import approval_url
from hitl.models import ApprovalStatus, HITLDecision, OneClickToken
from hitl.notifying import told
from hitl.services import step_up, verbs
from tenants.models import User
from tenants.privacy.audit import Origin

USED = _("This link has already been used. Each link works once; nothing changed.")
OTHER_PERSON = _(
    "This link was sent to another approver, but this browser is signed in to Walker as %(user)s. "
    "Nothing changed. Sign out first to use it, or decide in Walker as yourself."
)


class LinkUsed(Exception):
    """The link's nonce is already recorded: it decided once."""


def _private(response):
    """The token is in the URL: keep it out of referrers and search indexes.

    strict-origin sends only the origin, never the path that holds the token. Not
    no-referrer: under it browsers send `Origin: null` with the form's POST, which
    Django's CSRF check refuses.
    """
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _result(request, status, title, message, approval=None):
    context = {"title": title, "message": message, "approval": approval}
    if approval is not None:
        context["admin_url"] = approval_url(approval)
    return _private(render(request, "hitl/one_click_result.html", context, status=status))


def _confirm(request, approval, claim, *, error="", status=200):
    details = presentation.action_details(approval)  # in words: the campaign's name rather than its id
    context = {
        "approval": approval,
        "decision": claim.decision,
        "details": details,
        "cost": presentation.cost_in_money(approval),
        "effect": presentation.effect(approval),
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return _private(render(request, "hitl/one_click_confirm.html", context, status=status))


def _step_up(request, approval, message):
    """A link carries no second factor: at the tenant's step-up level it only points to the console."""
    return _result(request, 403, gettext("Decide in Walker"), message, approval)


def _decide(request, approval, approver, claim, reason):
    """Mark the link used and decide in one transaction: a refused decision leaves the link unused. The step-up gate
    is asked before that transaction, which would roll back its record of the second factor it asked for."""
    origin = Origin.of_request(request, via=HITLDecision.Via.LINK)
    verbs.check(claim.decision, approval.pk, actor=approver, origin=origin)
    with transaction.atomic():
        try:
            with transaction.atomic():
                OneClickToken.objects.create(
                    tenant_id=approval.tenant_id,
                    approval=approval,
                    approver=approver,
                    decision=claim.decision,
                    nonce=claim.nonce,
                )
        except IntegrityError:
            raise LinkUsed from None
        note = reason if claim.decision == HITLDecision.Decision.REJECT else ""  # the page asks only a rejection why
        return verbs.act(claim.decision, approval.pk, actor=approver, origin=origin, note=note)


def _done(request, approval, reason):
    message = told.decision_taken(approval)
    if approval.status == ApprovalStatus.REJECTED:
        # Outside the f-string: xgettext cannot read a call inside one, and makemessages would drop the string.
        said = gettext("Your reason: %(reason)s") % {"reason": reason}
        message = f"{message} {said}"
        return _result(request, 200, gettext("Rejected"), message, approval)
    title = gettext("Approval recorded") if approval.is_pending else gettext("Approved")
    return _result(request, 200, title, message, approval)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def one_click(request, token):
    try:
        claim = links.read_token(token)
    except links.ExpiredLink:
        message = gettext("This link has expired; nothing changed. You can still decide in Walker.")
        return _result(request, 410, gettext("Link expired"), message)
    except links.ForgedLink:
        return _result(request, 400, gettext("Invalid link"), gettext("This link is not valid; nothing changed."))

    approver = User.objects.filter(pk=claim.approver_id, is_active=True).first()
    approval = approvals_for(approver).filter(pk=claim.approval_id).first() if approver else None
    if approval is None:  # the person left, or may no longer see it (hitl.access)
        return _result(request, 400, gettext("Invalid link"), gettext("This link no longer works; nothing changed."))
    if request.user.is_authenticated and request.user.pk != approver.pk:
        message = str(OTHER_PERSON) % {"user": request.user.email}
        return _result(request, 403, gettext("Signed in as someone else"), message)
    if approver.language:  # the page speaks the language of the approver the email went to
        translation.activate(approver.language)  # UserLanguageMiddleware deactivates it after the response
    timezone.activate(ZoneInfo(approval.tenant.timezone))  # its times, as its email's; TenantTimezoneMiddleware resets

    if request.method != "POST":
        if OneClickToken.objects.filter(nonce=claim.nonce).exists():
            return _result(request, 410, gettext("Link already used"), USED, approval)
        if not approval.is_pending:
            status = approval.get_status_display().lower()
            message = gettext("%(reference)s is already %(status)s.") % {
                "reference": approval.reference,
                "status": status,
            }
            return _result(request, 409, gettext("Nothing to decide"), message, approval)
        if step_up.needed(approval):  # said before the form is filled in; a GET records nothing (mail scanners)
            return _step_up(request, approval, step_up.explain(approval))
        return _confirm(request, approval, claim)

    reason = request.POST.get("reason", "").strip()
    if claim.decision == HITLDecision.Decision.REJECT and not reason:
        return _confirm(request, approval, claim, error=gettext("Say why you reject it."), status=400)
    try:
        approval = _decide(request, approval, approver, claim, reason)
    except LinkUsed:
        return _result(request, 410, gettext("Link already used"), USED, approval)
    except StepUpRequired as error:
        return _step_up(request, approval, error.detail)
    except DecisionError as error:
        return _result(request, 409, gettext("Could not decide"), error.detail, approval)
    return _done(request, approval, reason)
