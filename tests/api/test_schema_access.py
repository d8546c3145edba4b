"""The OpenAPI schema and its docs page: staff only in production, public where API_SCHEMA_PUBLIC says so (on by
default with DEBUG, as in development and this suite) (issue 29)."""

import json

import pytest

from tests.config.test_settings_shapes import PRODUCTION, run_python

PAGES = ["/api/schema/", "/api/docs/"]


@pytest.fixture
def private_schema(settings):
    settings.API_SCHEMA_PUBLIC = False


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_in_production_signed_out_callers_and_members_are_refused(private_schema, client, api_client, colleague, page):
    signed_out = api_client.get(page, {"format": "json"} if page == PAGES[0] else {})
    assert signed_out.status_code == 403  # as every API call without credentials (the session comes first)
    if page == PAGES[0]:
        assert signed_out.json()["code"] == "not_authenticated"
    client.force_login(colleague)
    assert not colleague.is_staff and client.get(page).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_in_production_staff_read_the_schema_and_its_docs(private_schema, console_as, approver, page):
    response = console_as(approver).get(page, {"format": "json"} if page == PAGES[0] else {})
    assert response.status_code == 200
    if page == PAGES[0]:
        assert "/api/conversations/" in response.json()["paths"]


@pytest.mark.parametrize("page", PAGES)
def test_where_it_is_public_anyone_reads_it(settings, client, page):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get(page).status_code == 200


SHOW = "import django; django.setup(); from django.conf import settings; print(settings.API_SCHEMA_PUBLIC)"


@pytest.mark.slow
@pytest.mark.shape_free  # settings read in an interpreter of its own (tests/shape_free.py)
@pytest.mark.parametrize(
    ("env", "public"), [(PRODUCTION, False), ({}, True), ({**PRODUCTION, "API_SCHEMA_PUBLIC": "1"}, True)]
)
def test_the_schema_is_private_by_default_in_production(env, public):
    result = run_python(["-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.split()[-1].lower()) is public
