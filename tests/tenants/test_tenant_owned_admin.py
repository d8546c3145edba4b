"""TenantOwnedAdmin, the base of an editable tenant-owned model's admin: the row's tenant is the viewer's own."""

import pytest
from django.contrib.admin import site
from django.test import RequestFactory

from hitl.models import HITLWorkflow, RiskPolicy
from tests.factories import HITLWorkflowFactory


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("model", [HITLWorkflow, RiskPolicy])
def test_tenant_staff_neither_see_nor_fill_the_tenant(tenant_admin, model):
    model_admin = site._registry[model]
    request = _request(tenant_admin)
    assert "tenant" in model_admin.get_exclude(request)
    assert all("tenant" not in options["fields"] for _title, options in model_admin.get_fieldsets(request))


@pytest.mark.parametrize("model", [HITLWorkflow, RiskPolicy])
def test_a_superuser_picks_the_tenant_first(superuser, model):
    model_admin = site._registry[model]
    request = _request(superuser)
    assert "tenant" not in model_admin.get_exclude(request)
    assert model_admin.get_fieldsets(request)[0][1]["fields"][0] == "tenant"
    assert sum(options["fields"].count("tenant") for _title, options in model_admin.get_fieldsets(request)) == 1


def test_the_row_is_saved_under_the_viewers_tenant(tenant_admin, other_tenant):
    workflow = HITLWorkflowFactory.build(tenant=other_tenant)  # what a tampered form would carry
    site._registry[HITLWorkflow].save_model(_request(tenant_admin), workflow, form=None, change=False)
    saved = HITLWorkflow.objects.get(pk=workflow.pk)
    assert saved.tenant_id == tenant_admin.tenant_id and saved.created_by == tenant_admin


def test_a_superusers_choice_of_tenant_stands(superuser, other_tenant):
    workflow = HITLWorkflowFactory.build(tenant=other_tenant)
    site._registry[HITLWorkflow].save_model(_request(superuser), workflow, form=None, change=False)
    assert HITLWorkflow.objects.get(pk=workflow.pk).tenant == other_tenant
