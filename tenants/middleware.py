"""Times are stored in UTC and shown in the signed-in person's tenant time zone, in the person's own language."""

from zoneinfo import ZoneInfo

from django.utils import timezone, translation


class TenantTimezoneMiddleware:
    """Activate the tenant's zone for the request, so the admin's dates and forms read in local time.

    Platform superusers (no tenant) and anonymous visitors see UTC, and so does the API,
    whoever calls it: its timestamps read the same with a session or a token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        tenant = request.user.tenant if request.user.is_authenticated and not api else None
        if tenant is not None:
            timezone.activate(ZoneInfo(tenant.timezone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """Activate the signed-in person's language (User.language), else the browser's (Accept-Language),
    among settings.LANGUAGES; the API answers in English whoever calls it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if request.path.startswith("/api/"):
            language = "en"
        else:
            language = chosen or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
