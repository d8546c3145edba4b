"""Issue 30, point 7: no developer words where business users read.

Every admin list and change page each demo role can open, with demo-like data (the demo tenant, a request
through the pipeline, one request of every other action type, decisions, metrics, the access log they
leave), the one-click page, the member's own page and every email sent meanwhile are rendered; their
visible text (tags, attributes, scripts, form values and URLs left out) must hold none of the codes the
registries know: action types, agent types, risk factor keys, model labels (`app.model`), field names and
choice values written with underscores, and acronyms capitalised as words ("Sla", "Seo").
"""

import io
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agents.action_specs import SPECS
from agents.actions import ProposedAction
from agents.models import AgentType, AIAgent, Campaign, ContentPiece
from briefs.services import send_brief_now
from conversations.models import Conversation
from conversations.normalized import InboundMessage
from hitl.links import make_link
from hitl.models import HITLApproval
from hitl.risk import FACTOR_LABELS
from hitl.services.decisions import approve, reject
from hitl.services.requests import request_approval
from reports import approval_stats, conversation_metrics
from tenants.models import Tenant, User
from tests.factories import HITLWorkflowFactory
from tests.pipeline import exchange

OUR_APPS = {"tenants", "conversations", "agents", "hitl", "analytics", "channels_app", "briefs"}
ROLES = ["support@acme.test", "approver@acme.test", "admin@acme.test", "compliance@acme.test", "platform@walker.test"]
ACRONYMS = ["Sla", "Seo", "Ip", "Url", "Api", "Pii", "Llm", "Sms", "Csv", "Utc", "Ai"]  # as a capitalised word
ACRONYM = re.compile(rf"(?<![\w-])(?:{'|'.join(ACRONYMS)})(?![\w-])")


def codes() -> set[str]:
    """The codes Walker's registries know that must never reach a reader."""
    found = set(SPECS)
    found |= {value for value in AgentType.values if "_" in value or value.upper() == AgentType(value).label}
    found |= {key for key in FACTOR_LABELS if "_" in key}
    for model in apps.get_models():
        found.add(model._meta.label_lower)
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if "_" in name and not name.startswith("_") and not name.endswith("+"):
                found.add(name)
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    found.add(value)
    return found


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts, styles, templates or textarea contents."""

    HIDDEN = {"script", "style", "template", "textarea", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"\S*(?:/|https?:|\?)\S*", " ", text)  # URLs and paths are addresses, not words
    return re.sub(r"\{\w+\}", " ", text)  # a canned response's {first_name}: what its writers type, by design


# Values as a program writes them (issue 50, point 6): a time as ISO 8601, Python's and JSON's empty and truth values.
RAW_VALUE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b(?:None|null|True|False|NaN|nan|undefined)\b"
)


def raw_codes(text: str, known: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*", text))
    dotted = {part for word in words for part in [word, *word.split(".")]}
    return known & (dotted | words) | set(ACRONYM.findall(text)) | set(RAW_VALUE.findall(text))


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, monkeypatch):
    """The demo tenant with a request of every action type, some decided, and the figures computed."""
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme-outdoor")
    HITLWorkflowFactory(
        tenant=tenant, name="Every request", is_default=True, sla_hours=4, notification_channels=["email", "in_app"],
        approval_levels=[{"name": "Approvers", "approvers": {"roles": ["approver", "admin"]}, "required_approvals": 1}],
        auto_reject_conditions=[{"field": "estimated_cost", "op": "gt", "value": 1_000_000}],
    )  # fmt: skip
    asked = exchange(
        InboundMessage(
            channel="whatsapp", text="Raise the Summer Sale budget to $700 a day", sender_phone="+14155550105"
        )
    )
    member = User.objects.get(email="member@acme.test")
    approver = User.objects.get(email="approver@acme.test")
    campaign = Campaign.objects.for_tenant(tenant).filter(status="active").exclude(name="Summer Sale").first()
    draft, other_draft = ContentPiece.objects.for_tenant(tenant).filter(status="draft")[:2]  # one request a target
    proposals = {
        "pause_campaign": {"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
        "publish_content": {"content_id": str(draft.pk), "title": draft.title},
        "schedule_content": {
            "content_id": str(other_draft.pk),
            "title": other_draft.title,
            "scheduled_for": (timezone.now() + timedelta(days=3)).replace(microsecond=0).isoformat(),
        },
        "add_target_keyword": {"keyword": "trail running shoes"},
        "create_audience": {"name": "Weekend hikers", "description": "People who hike on weekends"},
        "create_retargeting": {"name": "Cart abandoners", "source": "website", "lookback_days": 30},
    }
    filed = {}
    with django_capture_on_commit_callbacks(execute=True):
        for action_type, data in proposals.items():
            agent_type = next(iter(SPECS[action_type].agents))
            agent = AIAgent.objects.get(is_system_agent=True, agent_type=agent_type)
            action = ProposedAction(
                action_type=action_type, action_data=data, summary=f"{SPECS[action_type].label}",
                estimated_cost=Decimal("120.00"), estimated_reach=5000, confidence=0.7,
            )  # fmt: skip
            filed[action_type] = request_approval(tenant=tenant, agent=agent, action=action, requested_by=member)
        approve(filed["pause_campaign"].pk, actor=approver)
        reject(filed["add_target_keyword"].pk, actor=approver, reason="We track it already")
        send_brief_now(approver)
    conversation_metrics.recompute(list(Conversation.objects.filter(tenant=tenant).values_list("pk", flat=True)))
    approval_stats.refresh_tenant(tenant)
    return {"tenant": tenant, "budget": asked.actions[0].approval_id, "filed": filed, "approver": approver}


def pages_of(client):
    """(url, html) of the first page, the dashboard, every list the client may open and the change page of its rows."""
    yield "/admin/", client.get("/admin/")
    yield "/admin/dashboard/", client.get("/admin/dashboard/")
    for model in admin.site._registry:
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        yield url, response
        rows = list(response.context["cl"].result_list) if response.context and "cl" in response.context else []
        for row in rows if model is HITLApproval else rows[:1]:
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
            shown = client.get(change)
            if shown.status_code == 200:
                yield change, shown


@pytest.mark.slow
def test_no_page_or_email_shows_a_code(client, demo):
    known = codes()
    seen: dict[str, dict[str, str]] = {}  # code -> {where: the words around it}

    def scan(where: str, html: str):
        text = visible(html)
        for code in raw_codes(text, known):
            at = text.find(code)
            seen.setdefault(code, {})[where] = " ".join(text[max(at - 50, 0) : at + 50].split())

    for email in ROLES:
        client.force_login(User.objects.get(email=email))
        for url, response in pages_of(client):
            assert isinstance(response.content, bytes)
            scan(f"{email} {url}", response.content.decode())
    member = User.objects.get(email="member@acme.test")  # the member's own page: conversations and requests
    client.force_login(member)
    own = Conversation.objects.filter(tenant=demo["tenant"], user=member).values_list("pk", flat=True)
    for url in ["/chat/", "/chat/?requests=all", "/chat/list/", *(f"/chat/{pk}/" for pk in own)]:
        response = client.get(url)
        assert response.status_code == 200, url
        scan(f"member {url}", response.content.decode())
    client.logout()
    for asked in (HITLApproval.objects.get(pk=demo["budget"]), demo["filed"]["schedule_content"]):
        link = make_link(asked, demo["approver"], "approve")
        scan(f"one-click page of {asked.action_type}", client.get(urlsplit(link).path).content.decode())
    assert mail.outbox, "the demo sends approval emails and a brief"
    for message in mail.outbox:
        scan(f"email {message.subject!r}", f"<p>{message.subject}</p><pre>{message.body}</pre>")
        for content, kind in getattr(message, "alternatives", []):
            if kind == "text/html":
                scan(f"email {message.subject!r} (html)", content)
    assert not seen, "\n".join(
        f"{code}: {len(where)} pages, e.g. {page}: …{words}…"
        for code, where in seen.items()
        for page, words in [next(iter(where.items()))]
    )


def test_the_scan_finds_what_users_saw():
    """The detector itself: the words the issue quotes are found, addresses and attributes are not."""
    known = codes()
    assert raw_codes(visible("<td>paid_ads</td><td>Sla hours</td>"), known) == {"paid_ads", "Sla"}
    assert raw_codes(visible("<p>auto_approve_conditions must be a list</p>"), known) == {"auto_approve_conditions"}
    assert raw_codes(visible("<td>conversations.conversation</td>"), known) == {"conversations.conversation"}
    assert raw_codes(visible('<a href="/admin/?agent_type=paid_ads" title="set_budget">Seo</a>'), known) == {"Seo"}
    assert raw_codes(visible('<input value="set_budget"><td>/admin/hitl/?action_type=x</td>'), known) == set()
    assert raw_codes(visible("<td>Hi {first_name}, thanks</td>"), known) == set()


def test_the_scan_finds_raw_values_and_times():
    """Issue 50, point 6: values as a program writes them; times and words a person writes are not."""
    known = codes()
    seen = raw_codes(visible("<h3>Past conversations</h3><li>None</li><p>segment id null</p>"), known)
    assert seen == {"None", "null"}
    found = raw_codes(visible("<p>Delivered at 2026-11-27 12:43:36</p><p>2026-11-27T12:43:36.5+00:00</p>"), known)
    assert found == {"2026-11-27 12:43:36", "2026-11-27T12:43:36.5+00:00"}
    person = "<p>Nov. 27, 2026, 12:43 p.m.</p><p>27 de noviembre de 2026 a las 12:43</p><p>Nothing ticked</p>"
    assert raw_codes(visible(person), known) == set()
