"""Walker's URLs and a view that fails, for the error-report tests (test_sentry.py)."""

from django.urls import path

from config.urls import urlpatterns as walkers

EMAIL, PHONE = "pat.jones@example.com", "+1 415 555 2671"


def failing_view(request):
    raise LookupError(f"no account for {EMAIL} / {PHONE} ({request.GET.get('card')})")


urlpatterns = [path("tests/fails/", failing_view), *walkers]
