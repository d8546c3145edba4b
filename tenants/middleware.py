"""Times are stored in UTC and shown in the signed-in person's tenant time zone."""

from zoneinfo import ZoneInfo

from django.utils import timezone


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
