"""The console's "Add to Slack", as admin views of the Slack workspace page (SlackWorkspaceAdmin.get_urls): `start`
(a POST from the button: step-up, state, off to Slack), `callback` (Slack sends the browser back: state checked,
code exchanged, channels listed) and `pick` (the admin picks the default channel; the workspace is saved). Every
refusal comes back to the workspace page with a message in plain words; nothing is half-saved."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from channels_app.slack import install
from channels_app.slack.models import SlackWorkspace
from tenants.identity import connect_state
from tenants.identity.signin import step_up

PROVIDER = "slack"
CHANGELIST = "admin:channels_app_slackworkspace_changelist"


def redirect_uri() -> str:
    """The address registered in the Slack app's OAuth settings: PUBLIC_BASE_URL's."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('admin:channels_app_slackworkspace_install_callback')}"


def start(model_admin, request):
    _admin_only(model_admin, request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = request.POST.get("back") or reverse(CHANGELIST)
    back = back if back.startswith("/admin/") else reverse(CHANGELIST)
    if install.missing():
        messages.error(request, not_installed())
        return HttpResponseRedirect(back)
    if not step_up.satisfied(request, request.user, request.user.tenant):
        messages.info(request, step_up.asked_to_show(request.user, _("press “Add to Slack” again")))
        return HttpResponseRedirect(step_up.step_up_url(request.user, back))
    state, _flow = connect_state.begin(request, PROVIDER, pkce=False)
    return HttpResponseRedirect(install.authorize_url(state=state, redirect_uri=redirect_uri()))


def callback(model_admin, request):
    _admin_only(model_admin, request)
    try:
        connect_state.finish(request, PROVIDER, request.GET.get("state", ""))
        if request.GET.get("error") == "access_denied":
            raise install.InstallFailed(
                _("You cancelled the install in Slack, so nothing was connected. Press “Add to Slack” and choose "
                  "Allow to connect.")
            )  # fmt: skip
        if request.GET.get("error") or not request.GET.get("code"):
            raise install.InstallFailed(
                _("Slack did not finish the install (%(code)s). Press “Add to Slack” to try again.")
                % {"code": request.GET.get("error") or _("no code")}
            )
        installed = install.exchange(request.GET["code"], redirect_uri=redirect_uri())
        hold_id = connect_state.hold(request, PROVIDER, installed.__dict__)
    except (connect_state.StateRefused, install.InstallFailed) as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(reverse(CHANGELIST))
    return HttpResponseRedirect(reverse("admin:channels_app_slackworkspace_install_pick", args=[hold_id]))


def pick(model_admin, request, hold_id: str):
    _admin_only(model_admin, request)
    here = request.get_full_path()
    try:
        installed = install.Installed(**connect_state.held(request, PROVIDER, hold_id))
    except connect_state.StateRefused as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(reverse(CHANGELIST))
    channels = [tuple(channel) for channel in installed.channels]
    if request.method == "POST":
        if not step_up.satisfied(request, request.user, request.user.tenant):
            messages.info(request, step_up.asked_to_show(request.user, _("pick the channel again")))
            return HttpResponseRedirect(step_up.step_up_url(request.user, here))
        channel = request.POST.get("channel", "")
        if channel not in {channel_id for channel_id, _name in channels}:
            messages.error(request, _("Pick one of the channels listed."))
            return HttpResponseRedirect(here)
        try:
            workspace = install.save(request.user, installed, channel)
        except install.InstallFailed as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(reverse(CHANGELIST))
        connect_state.held(request, PROVIDER, hold_id, take=True)
        messages.success(request, _("Slack workspace %(name)s connected: approvals will be posted there.")
                         % {"name": workspace})  # fmt: skip
        return HttpResponseRedirect(reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Pick the channel for approvals"),
        "team_name": installed.team_name or installed.team_id,
        "channels": channels,
        "current": SlackWorkspace.objects.filter(tenant_id=request.user.tenant_id)
        .values_list("default_channel", flat=True)
        .first(),
    }
    return TemplateResponse(request, "admin/channels_app/slack_pick_channel.html", context)


def not_installed() -> str:
    return _("“Add to Slack” needs this installation's settings %(names)s; ask the operator to set them "
             "(docs/slack.md). Until then, add the workspace with your own Slack app's bot token and signing "
             "secret.") % {"names": ", ".join(install.missing())}  # fmt: skip


def _admin_only(model_admin, request) -> None:
    """A tenant's admin only: the workspace belongs to a tenant."""
    if request.user.tenant_id is None or not model_admin.has_change_permission(request):
        raise PermissionDenied
