"""Two admins registering the same key at once: one type is made, the other request gets a clear 400."""

import threading

import pytest
from rest_framework.test import APIClient

from agents.tenant_actions import rules
from agents.tenant_actions.models import TenantActionType
from tests.action_types.conftest import body
from tests.concurrency import at_once


@pytest.mark.slow
def test_two_registrations_of_one_key_at_once_make_one_type(postgres_only, tenant_admin, monkeypatch):
    checked = rules._taken
    both_checked = threading.Barrier(2)

    def taken_after_both_checked(action_type):
        found = checked(action_type)
        both_checked.wait(5)  # both requests pass the check before either saves: the constraint decides
        return found

    monkeypatch.setattr(rules, "_taken", taken_after_both_checked)

    def register():
        api = APIClient()
        api.force_authenticate(tenant_admin)
        answer = api.post("/api/v1/action-types/", body(), format="json")
        return answer.status_code, answer.json()

    results = sorted(at_once(register, register), key=lambda result: result[0])
    assert [status for status, _ in results] == [201, 400]
    assert results[1][1] == {"key": ["This tenant already has an action type with that key."]}
    assert TenantActionType.objects.count() == 1
