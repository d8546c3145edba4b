"""The console page of the performance rules (adplatforms.rules): listed and edited by tenant admins."""

from django.contrib import admin

from adplatforms.models import PerformanceRule
from tenants.admin_scoping import TenantOwnedAdmin


@admin.register(PerformanceRule)
class PerformanceRuleAdmin(TenantOwnedAdmin):
    list_display = ["name", "metric", "scope", "action", "enabled", "last_run_at"]
