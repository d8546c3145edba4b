from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.exceptions import api_not_found
from config.home import favicon, home
from config.metrics import metrics
from tenants.language_switch import set_language

urlpatterns = [
    path("metrics", metrics, name="metrics"),  # Prometheus, with METRICS_TOKEN (config.metrics)
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # People who talk to the agents sign in here and land in the chat; staff sign in at /admin/ (or here).
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's default after-login address: where a sign-in without a "next" ends up, whichever form was used.
    path("accounts/profile/", RedirectView.as_view(pattern_name="home"), name="profile"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/auth/", include("tenants.auth_urls")),  # sign-in tokens: access, refresh, revoke
    path("api/", include("tenants.urls")),
    path("api/", include("conversations.urls")),
    path("api/hitl/", include("hitl.api_urls")),
    path("api/analytics/", include("reports.urls")),
    path("api/v1/", include("adplatforms.api_urls")),  # ad platform connections
    path("i18n/setlang/", set_language, name="set_language"),  # the console's user menu and the chat page
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),  # the chat widget's words, translated
    path("hitl/", include("hitl.urls")),  # one-click decision links from approval emails
    path("", include("agents.urls")),  # read tools for engines that call back (Langflow)
    path("", include("briefs.urls")),  # the daily brief's signed unsubscribe link
    path("", include("channels_app.urls")),  # chat widget token and demo page
    re_path(r"^api/", api_not_found),  # any other /api/ path: a JSON 404, like the API's own
]
