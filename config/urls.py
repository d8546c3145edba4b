from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.exceptions import api_not_found
from config.home import favicon, home
from config.metrics import metrics
from conversations.satisfaction_views import satisfaction_page
from reports.dashboard_page import dashboard_view
from reports.payoff_page import payoff_view
from tenants.identity.signin import after_factor
from tenants.identity.signin.email_page import change_email, confirm_email_change
from tenants.identity.signin.invitation_page import accept_invitation
from tenants.identity.signin.views import end_session
from tenants.identity.sso import views as sso_views
from tenants.language_switch import set_language

# The console has no sign-in of its own: /admin/login/ sends to the one above, so the second factor is never skipped.
admin.site.login = secure_admin_login(admin.site.login)
# The first page is the viewer's own work (config.landing), not Django's "Site administration".
admin.site.index_title = "Walker"

urlpatterns = [
    path("metrics", metrics, name="metrics"),  # Prometheus, with METRICS_TOKEN (config.metrics)
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # Everyone signs in here (allauth: password, then a second factor or a passkey) and lands in the chat or, staff,
    # in the console. "login" and "logout" are the names Walker's pages and LOGIN_URL use; allauth's own
    # ("account_login", ...) are below, with the rest of its pages.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # Django's default after-login address: where a sign-in without a "next" ends up, whichever form was used.
    path("accounts/profile/", RedirectView.as_view(pattern_name="home"), name="profile"),
    # The allauth pages Walker uses: its sign-in and sign-out names, re-authentication, password change, password reset
    # by email (the person found through Walker's keyed hash: tenants.identity.signin.adapters) and the MFA pages.
    # Not its
    # signup (admins invite), email management or confirmation (they would keep addresses in clear, in its
    # EmailAddress table): Walker's own pages below accept an invitation and change one's address. The sessions
    # page: allauth's list and its "sign out other sessions", and Walker's end of one session.
    path(
        "accounts/",
        include(
            [
                path("login/", account_views.login, name="account_login"),
                path("logout/", account_views.logout, name="account_logout"),
                path("inactive/", account_views.account_inactive, name="account_inactive"),
                path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
                path("password/change/", account_views.password_change, name="account_change_password"),
                path("password/reset/", account_views.password_reset, name="account_reset_password"),
                path("password/reset/done/", account_views.password_reset_done, name="account_reset_password_done"),
                re_path(
                    r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
                    account_views.password_reset_from_key,
                    name="account_reset_password_from_key",
                ),
                path(
                    "password/reset/key/done/",
                    account_views.password_reset_from_key_done,
                    name="account_reset_password_from_key_done",
                ),
                path("invitation/<str:token>/", accept_invitation, name="invitation_accept"),
                path("email/", change_email, name="email_change"),
                path("email/confirm/<str:token>/", confirm_email_change, name="email_change_confirm"),
                # allauth's MFA pages; its first page remembers where a wall was sending the person, and
                # "Continue" after the recovery codes goes there (tenants.identity.signin.after_factor).
                path("2fa/", after_factor.index, name="mfa_index"),
                path("2fa/continue/", after_factor.continue_on, name="walker_mfa_continue"),
                path("2fa/", include("allauth.mfa.urls")),
                # Single sign-on: the company step, and allauth's OpenID Connect login and callback
                # (tenants.identity.sso).
                path("sso/", sso_views.company_sign_in, name="company_sign_in"),
                path("oidc/", include("tenants.identity.sso.urls")),
                path("sessions/", include("allauth.usersessions.urls")),
                path("sessions/<int:session_id>/end/", end_session, name="walker_end_session"),
            ]
        ),
    ),
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="dashboard"),  # Reports → Dashboard
    path("admin/payoff/", admin.site.admin_view(payoff_view), name="payoff"),  # Reports → Did it pay off
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/auth/", include("tenants.identity.auth_urls")),  # sign-in tokens: access, refresh, revoke
    path("api/", include("tenants.urls")),
    path("api/", include("conversations.urls")),
    path("api/hitl/", include("hitl.api_urls")),
    path("api/analytics/", include("reports.urls")),
    path("api/v1/", include("adplatforms.api_urls")),  # ad platform connections
    path("api/v1/", include("agents.tenant_actions.api_urls")),  # the tenant's own action types (docs/approval-desk.md)
    path("api/v1/", include("hitl.approval_requests_urls")),  # agents outside Walker ask (docs/approval-desk.md)
    path("i18n/setlang/", set_language, name="set_language"),  # the console's user menu and the chat page
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),  # the chat widget's words, translated
    path("hitl/", include("hitl.urls")),  # one-click decision links from approval emails
    path("rate/<str:token>/", satisfaction_page, name="satisfaction"),  # a resolved conversation's email rating link
    path("slack/", include("channels_app.slack.urls")),  # Slack's interactions and account links (docs/slack.md)
    path("", include("agents.urls")),  # read tools for engines that call back (Langflow)
    path("", include("briefs.urls")),  # the daily brief's signed unsubscribe link
    path("", include("channels_app.urls")),  # chat widget token and demo page
    re_path(r"^api/", api_not_found),  # any other /api/ path: a JSON 404, like the API's own
]
