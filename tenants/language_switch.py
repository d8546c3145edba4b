"""The language switch of the console's user menu and the chat page: the choice is the person's own
(User.language, which the middleware reads first and the emails use), and the browser's too (Django's
language cookie, for pages before signing in)."""

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@require_POST
def set_language(request):
    """Django's set_language (the cookie, then back to `next` or the page it came from), after saving a
    signed-in person's choice."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)
