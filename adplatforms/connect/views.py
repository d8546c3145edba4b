"""The console's side of a connect flow, as admin views of the connections page (AdConnectionAdmin.get_urls):
`start` (a POST from the button: step-up, state, off to the provider), `callback` (the provider sends the browser
back: state checked, code exchanged, accounts listed) and `pick` (the admin chooses; the connection is saved).
Every refusal comes back to the page it started from with a message in plain words; nothing is half-saved."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from adplatforms import words
from adplatforms.access import may_manage_connections
from adplatforms.connect import errors, providers, saving
from adplatforms.connect.choices import Choice
from adplatforms.models import AdConnection
from tenants.identity import connect_state
from tenants.identity.signin import step_up

CHANGELIST = "admin:adplatforms_adconnection_changelist"


def redirect_uri(platform: str) -> str:
    """The address registered with the provider: PUBLIC_BASE_URL's, whatever host the request came by."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('admin:adplatforms_adconnection_connect_callback', args=[platform])}"


def start(model_admin, request, platform: str):
    provider = _provider(platform)
    _admin_only(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reconnect = _reconnect_target(request, request.POST.get("reconnect", ""))
    back = _change_url(reconnect) if reconnect else reverse(CHANGELIST)
    if providers.missing(platform):
        messages.error(request, _not_installed(platform))
        return HttpResponseRedirect(back)
    if not step_up.satisfied(request, request.user, request.user.tenant):
        messages.info(request, step_up.asked_to_show(request.user, _("press the button again")))
        return HttpResponseRedirect(step_up.step_up_url(request.user, back))
    state, flow = connect_state.begin(
        request, platform, pkce=provider.PKCE, data={"reconnect": str(reconnect.pk) if reconnect else ""}
    )
    return HttpResponseRedirect(
        provider.authorize_url(state=state, challenge=flow.challenge, redirect_uri=redirect_uri(platform))
    )


def callback(model_admin, request, platform: str):
    provider = _provider(platform)
    _admin_only(request)
    try:
        flow = connect_state.finish(request, platform, request.GET.get("state", ""))
        reconnect = _reconnect_target(request, flow.data.get("reconnect", ""))
        choices, credentials = _answer(request, provider, flow)
        if reconnect is not None:
            choice = next((c for c in choices if c.account_id == reconnect.account_id), None)
            if choice is None:
                raise errors.not_reached(provider.NAME, words.account_label(reconnect))
            connection = saving.save(request.user, platform, choice, credentials)
            messages.success(request, _("Reconnected %(connection)s: syncing again.") % {"connection": connection})
            return HttpResponseRedirect(_change_url(connection))
        hold_id = connect_state.hold(
            request, platform, {"choices": [c.as_dict() for c in choices], "credentials": credentials}
        )
    except (connect_state.StateRefused, errors.ConnectFailed) as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(reverse(CHANGELIST))
    return HttpResponseRedirect(reverse("admin:adplatforms_adconnection_connect_pick", args=[platform, hold_id]))


def pick(model_admin, request, platform: str, hold_id: str):
    _provider(platform)
    _admin_only(request)
    here = request.get_full_path()
    try:
        answer = connect_state.held(request, platform, hold_id)
    except connect_state.StateRefused as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(reverse(CHANGELIST))
    choices = [Choice(**c) for c in answer["choices"]]
    taken = _taken(request.user, platform, choices)
    if request.method == "POST":
        if not step_up.satisfied(request, request.user, request.user.tenant):
            messages.info(request, step_up.asked_to_show(request.user, _("pick the account again")))
            return HttpResponseRedirect(step_up.step_up_url(request.user, here))
        chosen = next((c for c in choices if c.account_id == request.POST.get("account")), None)
        if chosen is None:
            messages.error(request, _("Pick one of the accounts listed."))
            return HttpResponseRedirect(here)
        try:
            connection = saving.save(request.user, platform, chosen, answer["credentials"])
        except errors.ConnectFailed as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(here)
        connect_state.held(request, platform, hold_id, take=True)
        messages.success(request, _("Connected %(connection)s: the first sync is on its way.") % {
            "connection": connection})  # fmt: skip
        return HttpResponseRedirect(_change_url(connection))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Pick the %(platform)s account to connect") % {"platform": words.platform_name(platform)},
        "platform_name": words.platform_name(platform),
        "rows": [(c, _label(platform, c.account_id), taken.get(c.account_id, "")) for c in choices],
    }
    return TemplateResponse(request, "admin/adplatforms/connect_pick.html", context)


def _answer(request, provider, flow):
    """The provider's answer on the callback: (choices, credentials), or ConnectFailed in plain words."""
    name = provider.NAME
    error = request.GET.get("error", "")
    if error in ("access_denied", "user_denied") or request.GET.get("error_reason") == "user_denied":
        raise errors.denied(name)
    if error:
        raise errors.provider_refused(name, request.GET.get("error_description") or error)
    code = request.GET.get("code", "")
    if not code:
        raise errors.provider_refused(name, _("no authorisation code in the answer"))
    choices, credentials = provider.finish(code, verifier=flow.verifier, redirect_uri=redirect_uri(flow.provider))
    if not choices:
        raise errors.no_accounts(name)
    return choices, credentials


def _taken(user, platform: str, choices: list[Choice]) -> dict[str, str]:
    """Which listed accounts are connected already: "yours" (picking it reconnects it) or "elsewhere"."""
    rows = AdConnection.objects.filter(platform=platform, account_id__in=[c.account_id for c in choices])
    return {
        account_id: "yours" if tenant_id == user.tenant_id else "elsewhere"
        for account_id, tenant_id in rows.values_list("account_id", "tenant_id")
    }


def _label(platform: str, account_id: str) -> str:
    return words.account_label(AdConnection(platform=platform, account_id=account_id))


def _provider(platform: str):
    if platform not in providers.PROVIDERS:
        raise Http404
    return providers.PROVIDERS[platform]


def _admin_only(request) -> None:
    """A tenant's admin only: connections belong to a tenant, so a superuser without one cannot make them either."""
    if request.user.tenant_id is None or not may_manage_connections(request.user):
        raise PermissionDenied


def _reconnect_target(request, connection_id: str) -> AdConnection | None:
    if not connection_id:
        return None
    try:
        uuid.UUID(connection_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(AdConnection, pk=connection_id, tenant_id=request.user.tenant_id)


def _change_url(connection: AdConnection) -> str:
    return reverse("admin:adplatforms_adconnection_change", args=[connection.pk])


def _not_installed(platform: str) -> str:
    names = ", ".join(providers.missing(platform))
    return _("Connecting %(platform)s needs this installation's settings %(names)s; ask the operator to set them "
             "(docs/configuration.md). Until then, use “Add ad platform connection” with the account's own "
             "credentials.") % {"platform": words.platform_name(platform), "names": names}  # fmt: skip
