"""allauth's OpenID Connect URLs (its names, so allauth reverses them), served by Walker's views."""

from django.urls import path

from tenants.identity.sso import views

urlpatterns = [
    path("<str:provider_id>/login/", views.oidc_login, name="openid_connect_login"),
    path("<str:provider_id>/login/callback/", views.oidc_callback, name="openid_connect_callback"),
    # allauth's signup form, where it sends a sign-in that raced another (Walker has no form: a refusal page).
    path("signup/", views.sign_up_raced, name="socialaccount_signup"),
]
