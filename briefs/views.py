"""The signed unsubscribe link: a page that turns the brief off on a click, and RFC 8058 one-click POST."""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from briefs.unsubscribe import user_id_of
from tenants.models import UserEmailPreference


@csrf_exempt  # the link itself is the credential (signed, for one person), as RFC 8058 one-click needs
def unsubscribe(request, token):
    try:
        user_id = user_id_of(token)
    except signing.SignatureExpired:
        return _page(request, 410, "This link has expired", "Open the link in a newer brief, or sign in to change it.")
    except signing.BadSignature:
        return _page(request, 400, "This link is not valid", "It may have been cut short; use the one in your brief.")
    preference = UserEmailPreference.objects.filter(user_id=user_id).first()
    if preference is None:
        return _page(request, 404, "Nothing to stop", "There is no daily brief for this address any more.")
    if request.method == "POST":
        UserEmailPreference.objects.filter(pk=preference.pk).update(enabled=False)
        return _page(request, 200, "You will get no more daily briefs", "Sign in to Walker to turn them back on.")
    return render(request, "briefs/unsubscribe.html", {"title": "Stop the daily brief?"})


def _page(request, status, title, text):
    return render(request, "briefs/unsubscribe.html", {"title": title, "text": text, "done": True}, status=status)
