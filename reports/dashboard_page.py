"""Reports → Dashboard: the tenant's figures and charts (reports.dashboard) on a console page of their own, since the
console's first page is the viewer's own work (config.landing)."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from reports.dashboard import dashboard_callback


def dashboard_view(request):
    """Served through `admin.site.admin_view` (config/urls.py): the console's sign-in and staff check."""
    request.current_app = admin.site.name
    context = admin.site.each_context(request)
    context.update(title=_("Dashboard"), app_list=context["available_apps"])
    return TemplateResponse(request, "admin/reports/dashboard.html", dashboard_callback(request, context))
