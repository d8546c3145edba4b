"""The connect flows' state (tenants.identity.connect_state): signed and bound to the tenant, the admin and the
provider; PKCE's verifier kept server-side; what the provider answered held encrypted, for one provider, for a while."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from tenants.identity import connect_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_of(tenant_admin):
    def make(user=tenant_admin, session=None):
        request = RequestFactory().get("/")
        request.user, request.session = user, session if session is not None else SessionStore()
        return request

    return make


def test_a_pkce_flow_keeps_its_verifier_and_sends_only_its_s256_challenge(request_of):
    request = request_of()
    state, flow = connect_state.begin(request, "google", pkce=True)

    assert 43 <= len(flow.verifier) <= 128 and len(flow.challenge) == 43 and flow.challenge != flow.verifier
    assert flow.verifier not in state
    assert connect_state.finish(request, "google", state).verifier == flow.verifier


def test_a_state_is_for_its_provider_only(request_of):
    request = request_of()
    state, _flow = connect_state.begin(request, "meta", pkce=False)

    with pytest.raises(connect_state.StateRefused, match="did not come from a connection started here"):
        connect_state.finish(request, "google", state)


def test_what_the_provider_answered_is_held_encrypted_for_one_provider_and_a_while(request_of):
    request = request_of()
    hold_id = connect_state.hold(request, "slack", {"bot_token": "xoxb-held-s3cr3t"})

    assert "xoxb-held-s3cr3t" not in str(dict(request.session))
    with pytest.raises(connect_state.StateRefused):
        connect_state.held(request, "google", hold_id)
    assert connect_state.held(request, "slack", hold_id) == {"bot_token": "xoxb-held-s3cr3t"}
    with time_machine.travel(timezone.now() + timedelta(minutes=16)), pytest.raises(connect_state.StateRefused):
        connect_state.held(request, "slack", hold_id)


def test_a_taken_answer_is_gone(request_of):
    request = request_of()
    hold_id = connect_state.hold(request, "google", {"choices": []})

    connect_state.held(request, "google", hold_id, take=True)

    with pytest.raises(connect_state.StateRefused, match="no longer available"):
        connect_state.held(request, "google", hold_id)
