"""A read that waits answers as soon as an approver decides, not when its time is up."""

import threading
import time

from django.db import connection

from hitl.services.decisions import reject
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask, client_of


def test_a_waiting_read_answers_as_soon_as_the_request_is_decided(live_db, tenant, tenant_admin, approver):
    registered(tenant)
    agent = client_of(tenant_admin)
    filed = agent.post(URL, ask(), format="json").json()

    def decide_later():
        try:
            time.sleep(0.3)
            reject(filed["id"], actor=approver, reason="Not this week")
        finally:
            connection.close()

    decider = threading.Thread(target=decide_later)
    started = time.monotonic()
    decider.start()
    body = agent.get(f"{URL}{filed['id']}/?wait=10").json()
    took = time.monotonic() - started
    decider.join(5)
    assert body["decision"]["type"] == "reject" and body["decision"]["note"] == "Not this week"
    assert 0.3 <= took < 1.0
