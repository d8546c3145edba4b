"""A signed-in person's brief preferences (with a preview of their brief and a "send me one now"), and the signed
unsubscribe link: a page that turns the brief off on a click, and RFC 8058 one-click POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from briefs import asked
from briefs.forms import PreferencesForm
from briefs.preview import preview as preview_of
from briefs.unsubscribe import user_id_of
from tenants.models import UserEmailPreference


@login_required
def preferences(request):
    user = request.user
    if user.tenant_id is None:  # a platform superuser reads no tenant's brief
        return render(request, "briefs/preferences.html", {"form": None}, status=404)
    preference = UserEmailPreference.objects.filter(user=user).first() or UserEmailPreference(
        user=user, tenant_id=user.tenant_id, timezone=user.tenant.timezone
    )
    preference.timezone = preference.timezone or "UTC"  # what the schedule reads a blank zone as
    form = PreferencesForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved. Your next brief follows these choices."))
        return redirect("briefs:preferences")
    return render(request, "briefs/preferences.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def preview(request):
    """The signed-in person's brief as it would arrive now; nothing is sent or recorded."""
    if request.user.tenant_id is None:
        raise Http404
    return render(request, "briefs/preview.html", {"brief": preview_of(request.user)})


@login_required
@require_POST
def send_now(request):
    """Today's brief at once, as a "brief" reply asks for it. The limit is the day's: one brief a person and local
    day, this one included (the day's row lets one through); when it has gone, the page says when."""
    user = request.user
    if user.tenant_id is None:
        raise Http404
    already = asked.ask(user)
    if already:
        messages.info(request, already)
    else:
        messages.success(
            request, _("Your brief is on its way to %(email)s. It counts as today's brief.") % {"email": user.email}
        )
    return redirect("briefs:preferences")


@csrf_exempt  # the link itself is the credential (signed, for one person), as RFC 8058 one-click needs
def unsubscribe(request, token):
    try:
        user_id = user_id_of(token)
    except signing.SignatureExpired:
        return _page(
            request, 410, _("This link has expired"), _("Open the link in a newer brief, or sign in to change it.")
        )
    except signing.BadSignature:
        return _page(
            request, 400, _("This link is not valid"), _("It may have been cut short; use the one in your brief.")
        )
    preference = UserEmailPreference.objects.filter(user_id=user_id).first()
    if preference is None:
        return _page(request, 404, _("Nothing to stop"), _("There is no daily brief for this address any more."))
    if request.method == "POST":
        UserEmailPreference.objects.filter(pk=preference.pk).update(enabled=False)
        return _page(request, 200, _("You will get no more daily briefs"), _("Sign in to Walker to turn them back on."))
    return render(request, "briefs/unsubscribe.html", {"title": _("Stop the daily brief?")})


def _page(request, status, title, text):
    return render(request, "briefs/unsubscribe.html", {"title": title, "text": text, "done": True}, status=status)
