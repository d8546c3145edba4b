"""A tenant (or one of its agents) chooses its engine, endpoint, model and key; the key stays secret."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from agents.engines import get_engine
from agents.engines.builtin import BuiltinEngine
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent, EngineChoice
from conversations.normalized import InboundMessage
from tenants.roles import Role
from tests.factories import UserFactory
from tests.pipeline import exchange

KEY = "sk-tenant-secret-123"


@pytest.fixture
def tenant_openai(tenant, httpserver, loopback_receivers):
    return EngineChoice.objects.create(
        tenant=tenant, engine="openai", endpoint=httpserver.url_for("/v1"), model="tenant-model", api_key=KEY
    )


def test_an_agents_choice_wins_over_the_tenants_which_wins_over_the_environment(settings, tenant, paid_ads):
    settings.AGENT_ENGINE = "builtin"
    assert isinstance(get_engine(tenant, paid_ads), BuiltinEngine)
    EngineChoice.objects.create(tenant=tenant, engine="openai", model="m", api_key="k")
    engine = get_engine(tenant, paid_ads)
    assert isinstance(engine, OpenAIEngine) and engine.config.endpoint == "https://api.openai.com/v1"
    EngineChoice.objects.create(tenant=tenant, agent=paid_ads, engine="builtin")
    assert isinstance(get_engine(tenant, paid_ads), BuiltinEngine)
    seo = AIAgent.objects.get(is_system_agent=True, agent_type="seo")
    assert isinstance(get_engine(tenant, seo), OpenAIEngine)


def test_the_serving_agent_brings_the_choice_that_applies_and_none_costs_no_query(
    settings, tenant, other_tenant, django_assert_num_queries
):
    settings.AGENT_ENGINE = "builtin"
    EngineChoice.objects.create(tenant=other_tenant, engine="openai", model="theirs", api_key="k")  # not this one's
    serving = AIAgent.objects.serving(tenant, "paid_ads")
    with django_assert_num_queries(0):
        assert isinstance(get_engine(tenant, serving), BuiltinEngine)
    EngineChoice.objects.create(tenant=tenant, engine="openai", model="every", api_key="k")
    assert get_engine(tenant, AIAgent.objects.serving(tenant, "paid_ads")).config.model == "every"
    EngineChoice.objects.create(tenant=tenant, agent=serving, engine="openai", model="its own", api_key="k")
    serving = AIAgent.objects.serving(tenant, "paid_ads")
    with django_assert_num_queries(1):  # the choice's row, for its endpoint and key
        assert get_engine(tenant, serving).config.model == "its own"
    assert get_engine(tenant, AIAgent.objects.serving(tenant, "seo")).config.model == "every"


def test_the_pipeline_calls_the_tenants_own_endpoint_model_and_key(tenant_openai, httpserver, colleague):
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "From your own model."}}]}
    httpserver.expect_request("/v1/chat/completions").respond_with_json(answer)
    result = exchange(InboundMessage(channel="chat", text="How are my campaigns?", user_id=colleague.pk))
    assert result.reply.text == "From your own model."
    [(sent, _)] = httpserver.log
    assert sent.headers["Authorization"] == f"Bearer {KEY}" and sent.get_json()["model"] == "tenant-model"


def test_a_tenant_endpoint_on_a_private_address_is_refused_when_called(settings, tenant, httpserver, colleague):
    settings.OUTBOUND_ALLOW_HTTP = True  # http allowed, but 127.0.0.1 is not a public address
    EngineChoice.objects.create(
        tenant=tenant, engine="openai", endpoint=httpserver.url_for("/v1"), model="m", api_key="k"
    )
    result = exchange(InboundMessage(channel="chat", text="How are my campaigns?", user_id=colleague.pk))
    assert result.reply.metadata["engine_error"] is True  # the polite fallback answered
    assert httpserver.log == []


def test_the_key_is_encrypted_at_rest(tenant_openai):
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM agents_enginechoice")
        stored = cursor.fetchone()[0]
    assert KEY not in stored and EngineChoice.objects.get().api_key == KEY


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"engine": "openai", "api_key": "k"}, "model"),
        ({"engine": "openai", "model": "m"}, "api_key"),
        ({"engine": "langflow", "model": "flow-1"}, "endpoint"),
        ({"engine": "openai", "model": "m", "api_key": "k", "endpoint": "https://169.254.169.254/v1"}, "endpoint"),
    ],
)
def test_an_incomplete_or_unsafe_choice_is_refused(tenant, fields, field):
    with pytest.raises(ValidationError) as error:
        EngineChoice(tenant=tenant, **fields).full_clean()
    assert field in error.value.message_dict


def test_the_console_never_shows_the_key_and_an_empty_field_keeps_it(client, tenant, tenant_openai):
    admin = UserFactory(tenant=tenant, role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:agents_enginechoice_change", args=[tenant_openai.pk])
    page = client.get(url).content.decode()
    assert KEY not in page and "never shown again" in page
    form = {"engine": "openai", "endpoint": tenant_openai.endpoint, "model": "other-model", "api_key": ""}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = EngineChoice.objects.get()
    assert (saved.model, saved.api_key, saved.tenant) == ("other-model", KEY, tenant)


def test_other_roles_cannot_choose_the_engine(client, tenant):
    client.force_login(UserFactory(tenant=tenant, role=Role.SUPPORT))
    assert client.get(reverse("admin:agents_enginechoice_add")).status_code == 403
