"""Agent replies and outcome messages in the requester's language (Spanish or English), money the Spanish way;
the console's dashboard, sidebar and queue tabs in Spanish, with the JavaScript catalog loaded."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from agents import formatting as fmt
from agents.models import CampaignDailyStat
from agents.performance import last_days
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from tenants.models import Tenant, User
from tests.pipeline import exchange


@pytest.fixture
def demo(db, capsys):
    call_command("seed_demo")
    capsys.readouterr()
    return Tenant.objects.get(slug="acme-outdoor")


def member(language: str) -> User:
    person = User.objects.get(email="member@acme.test")
    person.language = language
    person.save(update_fields=["language"])
    return person


def ask(person, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=person.pk))


def test_a_spanish_member_gets_the_campaign_report_in_spanish_with_spanish_money(demo):
    result = ask(member("es"), "¿Cómo va mi campaña Summer Sale?")
    current, _previous = last_days(demo, 7)
    rows = CampaignDailyStat.objects.filter(
        campaign__tenant=demo, campaign__name="Summer Sale", date__range=(current.first, current.last)
    ).aggregate(spend=Sum("spend"), conversions=Sum("conversions"))
    spend = rows["spend"].quantize(Decimal("1") if rows["spend"] >= 1000 else Decimal("0.01"))
    whole, _, cents = f"{spend:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "\xa0") + (f",{cents}" if cents else "")
    reply = result.reply.text
    assert reply.startswith("Summer Sale, últimos 7 días: gasto ")
    assert f"gasto {grouped} US$" in reply  # computed from the rows, written the Spanish way
    assert f"{rows['conversions']:,}".replace(",", "\xa0") + " conversiones" in reply
    assert "presupuesto 500,00 US$/día" in reply
    assert "$" + whole not in reply


def test_english_stays_as_it_was(demo):
    result = ask(member("en"), "How is my Summer Sale campaign doing?")
    assert result.reply.text.startswith("Summer Sale, last 7 days: spend $")
    assert "budget $500.00/day." in result.reply.text


def test_each_message_is_answered_in_its_own_language_whatever_the_setting(demo):
    """Issue 31, point 5: the words of the message decide; the setting only when they do not say."""
    spanish_member, english_member = member("es"), User.objects.get(email="admin@acme.test")
    english_member.language = "en"
    english_member.save(update_fields=["language"])
    assert ask(spanish_member, "How is my Summer Sale campaign doing?").reply.text.startswith(
        "Summer Sale, last 7 days: spend $"
    )
    assert ask(english_member, "¿Cómo va Summer Sale?").reply.text.startswith("Summer Sale, últimos 7 días: gasto ")
    assert ask(spanish_member, "Summer Sale").reply.text.startswith("Summer Sale, últimos 7 días")  # no telling words


def test_other_languages_are_refused_in_the_members_language(demo):
    result = ask(member("es"), "Comment va la campagne Summer Sale ce mois-ci ?")
    assert result.reply.text.startswith("Por ahora solo entiendo inglés y español, y esto parece francés.")


@pytest.mark.parametrize(
    "language, proposed, waiting, done",
    [
        (
            "es",
            "Propuesta: Subir el presupuesto diario de Summer Sale de 500,00 US$ a 700,00 US$. "
            "Hasta 6\xa0000 US$ más en 30 días",
            "Esperando aprobación",
            "Aprobada y hecha: ",
        ),
        (
            "en",
            "Proposed: Raise Summer Sale daily budget from $500.00 to $700.00. Up to $6,000 more over 30 days",
            "Waiting for approval",
            "Approved and done: ",
        ),
    ],
)
def test_a_proposal_and_its_outcome_in_the_requesters_language(
    demo, django_capture_on_commit_callbacks, language, proposed, waiting, done
):
    person = member(language)
    asked = {
        "es": "Sube el presupuesto de Summer Sale a 700 dólares al día",
        "en": "Raise the Summer Sale budget to $700 a day",
    }
    result = ask(person, asked[language])
    (outcome,) = result.actions
    approval = HITLApproval.objects.get(pk=outcome.approval_id)
    assert result.reply.text.startswith(proposed)
    assert f"{waiting} ({approval.reference})" in result.reply.text
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the approver's request
        approve(approval.pk, actor=User.objects.get(email="approver@acme.test"))
    told = result.conversation.messages.filter(metadata__reference=approval.reference).order_by("-created_at")
    assert any(m.text.startswith(done) for m in told), [m.text for m in told]


def test_a_rejection_reaches_a_spanish_requester_in_spanish(demo, django_capture_on_commit_callbacks):
    result = ask(member("es"), "Sube el presupuesto de Summer Sale a 700 dólares al día")
    (outcome,) = result.actions
    with django_capture_on_commit_callbacks(execute=True):
        reject(outcome.approval_id, actor=User.objects.get(email="approver@acme.test"), reason="too much")
    texts = [m.text for m in result.conversation.messages.all()]
    assert any(
        t.startswith("Rechazada: Subir el presupuesto diario de Summer Sale") and t.endswith("Motivo: too much")
        for t in texts
    )


def test_spanish_formatting_helpers():
    with translation.override("es"):
        assert fmt.money(Decimal("1234.4")) == "1\xa0234 US$"
        assert fmt.money(Decimal("-41.2")) == "-41,20 US$"
        assert fmt.percent(Decimal("3.44")) == "3,4\xa0%"
        assert fmt.change_percent(Decimal("106"), Decimal("100")) == "+6\xa0%"
        assert fmt.times(Decimal("3.44")) == "3,4x"
        assert fmt.not_available() == "n/d"
    with translation.override("en"):
        assert (fmt.money(Decimal("1234.4")), fmt.money(Decimal("-41.2"))) == ("$1,234", "-$41.20")
        assert (fmt.percent(Decimal("3.44")), fmt.times(Decimal("3.44")), fmt.number(12345)) == (
            "3.4%",
            "3.4x",
            "12,345",
        )


def test_the_dashboard_sidebar_and_tabs_in_spanish_with_the_js_catalog(demo, client):
    approver = User.objects.get(email="approver@acme.test")
    approver.language = "es"
    approver.save(update_fields=["language"])
    client.force_login(approver)
    page = client.get(reverse("dashboard")).content.decode()
    for words in (
        "Aprobaciones pendientes",
        "SLA incumplidos",
        "Tiempo mediano hasta la decisión",
        "Aprobaciones de hoy",
    ):
        assert words in page
    assert "Pending approvals" not in page
    assert reverse("javascript-catalog") in page
    assert page.index(reverse("javascript-catalog")) < page.index("walker-live.js")
    queue = client.get(reverse("admin:hitl_hitlapproval_changelist")).content.decode()
    assert "Esperando por mí" in queue and "Todas las pendientes" in queue
    first = client.get(reverse("admin:index")).content.decode()
    assert "Agentes con una persona en el circuito" in first
    assert "Esperando mi decisión" in first and "Nada espera tu decisión." in first
    sidebar = first[first.index('id="nav-sidebar-apps"') :]
    groups = ["Bandeja de entrada", "Aprobaciones", "Informes", "Datos de marketing", "Automatización", "Ajustes"]
    assert sorted(groups, key=sidebar.index) == groups  # an approver's groups, in Spanish, in their order
    assert all(item in sidebar for item in ("Mi trabajo", "Cola de aprobaciones", "Panel"))
