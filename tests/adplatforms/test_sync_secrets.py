"""A connection's credentials never leave it: not in its repr or str, the logs of a sync, the read tools'
answers or what an engine is handed."""

import logging

import pytest

from adplatforms import errors, sync
from agents.read_tools import campaign_performance, rank_campaigns
from conversations.normalized import InboundMessage
from tests.fixtures.ad_sync import DEVELOPER_TOKEN, REFRESH_TOKEN
from tests.pipeline import exchange

pytestmark = pytest.mark.django_db

SECRETS = (DEVELOPER_TOKEN, REFRESH_TOKEN, "client-s3cr3t-value")


def test_not_in_repr_or_str(connection):
    for shown in (repr(connection), str(connection)):
        assert not any(secret in shown for secret in SECRETS)


def test_not_in_the_logs_of_a_sync_that_fails(connection, account, caplog):
    caplog.set_level(logging.DEBUG)
    account.add_campaign("11", "Spring Sale", 1_000_000)
    sync.sync_connection(connection)
    account.fail_next("campaigns", errors.AuthorizationExpired("invalid_grant"))
    sync.sync_connection(connection)

    assert not any(secret in caplog.text for secret in SECRETS)


def test_not_in_the_read_tools_or_the_engines_request(tenant, tenant_admin, connection, account, engine):
    account.add_campaign("11", "Spring Sale", 1_000_000)
    sync.sync_connection(connection)

    answers = repr(campaign_performance(tenant, {})) + repr(rank_campaigns(tenant, {"metric": "roas"}))
    exchange(InboundMessage(channel="chat", text="How is Spring Sale doing?", user_id=tenant_admin.pk))

    handed = repr(engine.requests)
    for text in (answers, handed):
        assert not any(secret in text for secret in SECRETS)
        assert "developer_token" not in text and "refresh_token" not in text
    assert "Spring Sale" in answers
