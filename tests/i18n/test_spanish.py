"""Spanish, the second locale: an approver who chose it sees the console, the queue, the approval email and
the chat widget's words in Spanish, money and numbers the Spanish way; and both catalogues are complete."""

import gettext
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from agents.action_specs.campaigns import set_budget
from agents.models import AIAgent, Campaign
from hitl.models import HITLNotification, HITLWorkflow
from hitl.services.requests import request_approval
from hitl.timeline import history
from tenants.roles import Role
from tests.factories import CampaignFactory, HITLWorkflowFactory, UserFactory, budget_action

QUEUE = reverse("admin:hitl_hitlapproval_changelist")
LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
# Each catalogue Walker keeps: its file without extension, and how many entries it holds at least.
CATALOGUES = {
    "django": (LOCALE / "django", 400),
    "djangojs": (LOCALE / "djangojs", 60),
    "unfold": (Path(settings.BASE_DIR) / "locale" / "unfold" / "es" / "LC_MESSAGES" / "django", 150),
}


@pytest.fixture
def spanish_approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="lucia@acme.test", first_name="Lucía", language="es")


@pytest.fixture
def english_approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="ada@acme.test", first_name="Ada", language="en")


@pytest.fixture
def ask(tenant, requester):
    """A budget request (6,000 over 30 days) as the pipeline files it, told to approvers by `channels`."""
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")

    def file(channels=("in_app",)):
        if not HITLWorkflow.objects.filter(tenant=tenant, name="Budget changes").exists():  # one level: approvers
            HITLWorkflowFactory(tenant=tenant, name="Budget changes", notification_channels=list(channels))
        action = budget_action(campaign, "700.00", estimated_cost=Decimal("6000"), estimated_reach=120_000)
        return request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)

    return file


def test_the_approval_page_reads_in_spanish_for_an_approver_who_chose_it(console_as, spanish_approver, ask):
    approval = ask()
    response = console_as(spanish_approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "es"
    for spanish in [
        "Qué quiere hacer el agente",  # the panel's first heading
        "Coste estimado",
        "6\xa0000,00 US$ en 30 días",  # money: Spanish separators (a no-break space), the sign after the amount
        "Tu decisión",
        "Motivo (obligatorio para rechazar; lo verá quien lo solicitó)",
        "Cronología",
        "Vencimiento del SLA",  # the field label the issue names ("Sla deadline"), now a translated verbose name
    ]:
        assert spanish in html, spanish
    for english in ["What the agent wants to do", "Your decision", "Sla deadline", "over 30 days"]:
        assert english not in html, english


def test_the_queue_reads_in_spanish(console_as, spanish_approver, ask):
    approval = ask()
    html = console_as(spanish_approver).get(QUEUE).content.decode()
    assert approval.reference in html
    for spanish in ["resumen", "riesgo", "asignada a", "Pendiente", "6\xa0000 US$", "1 de 1", "quedan"]:
        assert spanish in html, spanish
    assert "min left" not in html and "$6,000" not in html


def test_the_same_queue_stays_english_for_an_english_approver(console_as, english_approver, ask):
    ask()
    html = console_as(english_approver).get(QUEUE).content.decode()
    assert "$6,000" in html and "min left" in html and "assigned to" in html


def test_the_approval_email_is_written_in_each_recipients_language(
    spanish_approver, english_approver, ask, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask(channels=("email",))
    by_address = {message.to[0]: message for message in mail.outbox}
    spanish, english = by_address[spanish_approver.email], by_address[english_approver.email]

    with translation.override("es"):  # the summary in each reader's language too (hitl.summaries)
        assert spanish.subject == f"Aprobación necesaria: {approval.summary}"
    html = spanish.alternatives[0][0]
    for expected in ["Coste: 6\xa0000,00 US$ en 30 días", "Aprobar", "Rechazar", "detalles en Walker", "caducan en"]:
        assert expected in spanish.body or expected in html, expected
    assert '<html lang="es">' in html
    assert f"approve {approval.reference}" in spanish.body  # the reply commands stay the words the parser reads

    with translation.override("en"):
        assert english.subject == f"Approval needed: {approval.summary}"
    assert "Subir el presupuesto diario de Summer Sale" in spanish.subject
    assert "Cost: $6,000.00 over 30 days" in english.body and "expire in" in english.body
    stored = HITLNotification.objects.get(recipient=spanish_approver, channel="email")
    assert stored.subject.startswith("Aprobación necesaria") and "Nivel 1 de 1" in stored.message


def test_the_widget_catalog_serves_spanish(client, spanish_approver):
    client.force_login(spanish_approver)
    response = client.get(reverse("javascript-catalog"))
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    assert catalog["New conversation"] == "Conversación nueva"
    assert catalog["Cancel my request"] == "Cancelar mi solicitud"
    assert catalog["%(minutes)s min left"] == "quedan %(minutes)s min"  # the console's SLA countdown too


def test_the_widget_page_loads_the_catalog_before_the_widget(client, spanish_approver):
    client.force_login(spanish_approver)
    html = client.get("/widget/").content.decode()
    assert '<html lang="es">' in html and "Cerrar sesión" in html
    assert html.index(reverse("javascript-catalog")) < html.index("widget/walker-chat.js")


def _entries(path: Path):
    """(msgid, msgstrs, flags, context) of each entry of a .po file, read without polib."""
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = {f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")}
        fields, current = {}, None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        msgstrs = [value for key, value in fields.items() if key.startswith("msgstr")]
        yield fields["msgid"], msgstrs, flags, fields.get("msgctxt")


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_the_spanish_catalogues_are_complete(catalogue):
    path, least = CATALOGUES[catalogue]
    entries = [entry for entry in _entries(path.with_suffix(".po")) if entry[0]]  # the header has an empty msgid
    assert len(entries) > least
    assert [msgid for msgid, _, flags, _ in entries if "fuzzy" in flags] == []
    assert [msgid for msgid, msgstrs, _, _ in entries if not all(msgstrs)] == []
    with open(path.with_suffix(".mo"), "rb") as compiled:  # the committed .mo holds the same translations
        catalog = gettext.GNUTranslations(compiled)
    singular = [(msgid, msgstrs[0], context) for msgid, msgstrs, _, context in entries if len(msgstrs) == 1]
    assert [
        msgid
        for msgid, msgstr, context in singular
        if (catalog.pgettext(_unescape(context), _unescape(msgid)) if context else catalog.gettext(_unescape(msgid)))
        != _unescape(msgstr)
    ] == []


def _unescape(text: str) -> str:
    """A .po string's escapes (\\n, \\", \\\\) as the characters they stand for."""
    return re.sub(r"\\(.)", lambda match: {"n": "\n", "t": "\t"}.get(match.group(1), match.group(1)), text)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext tools not installed")
@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_msgfmt_counts_nothing_untranslated_or_fuzzy(catalogue):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUES[catalogue][0].with_suffix(".po"))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "translated message" in result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr


def test_the_raw_labels_the_issue_named_read_properly_in_both_languages():
    from django.utils import translation

    from hitl.models import HITLApproval
    from tenants.models import AccessLog

    labels = [
        (HITLApproval, "sla_deadline", "SLA deadline", "vencimiento del SLA"),
        (AccessLog, "ip_address", "IP address", "dirección IP"),
        (AccessLog, "object_repr", "object", "objeto"),
    ]
    for model, field, english, spanish in labels:
        label = model._meta.get_field(field).verbose_name
        with translation.override("en"):
            assert str(label) == english
        with translation.override("es"):
            assert str(label) == spanish


def test_the_one_click_page_speaks_the_approvers_language(client, spanish_approver, ask):
    from urllib.parse import urlsplit

    from hitl import links

    approval = ask()
    path = urlsplit(links.make_link(approval, spanish_approver, "approve")).path
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # a signed-out browser in English
    assert "¿Aprobar esta acción? Se llevará a cabo de inmediato." in html and "6\xa0000,00 US$" in html
    html = client.post(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Has aprobado {approval.reference}" in html or f"Tu aprobación de {approval.reference}" in html


def _page(client, approval) -> str:
    return client.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()


def test_the_before_and_after_and_the_details_read_in_spanish(console_as, spanish_approver, english_approver, ask):
    """The rows an action type's spec builds and the labels of its data are the approver's language, not keys."""
    approval = ask()
    html = _page(console_as(spanish_approver), approval)
    for spanish in [
        "<td>Presupuesto diario de Summer Sale</td><td>500,00 US$</td><td><strong>700,00 US$</strong></td>",
        "<th>Nombre de la campaña</th>",
        "<th>Presupuesto diario</th>",
        "<th>Presupuesto diario anterior</th>",
        "<td>Fijar el presupuesto diario de una campaña</td>",  # the action type
        "Nuevo presupuesto diario (USD)",  # the field an approver may edit, naming its currency
    ]:
        assert spanish in html, spanish
    # (the summary stays as the requester wrote it: "Raise Summer Sale daily budget to $700.00")
    for english in ["<td>Summer Sale daily budget</td>", "<th>Daily budget</th>", "Campaign name", "Set a campaign"]:
        assert english not in html, english

    html = _page(console_as(english_approver), approval)  # the same approval, in English as before
    for english in [
        "<td>Summer Sale daily budget</td><td>$500.00</td><td><strong>$700.00</strong></td>",
        "<th>Campaign name</th>",
        "<th>Daily budget</th>",
        "<th>Previous daily budget</th>",
        "<td>Set a campaign&#x27;s daily budget</td>",
    ]:
        assert english in html, english


def test_what_an_execution_recorded_reads_in_spanish(console_as, spanish_approver, ask):
    """After execution the page shows the recorded before and after: its fields and states are translated."""
    approval = ask()
    approval.execution_result = {
        "before": {"id": "x", "status": "active", "daily_budget": "500.00"},
        "after": {"id": "x", "status": "paused", "daily_budget": "500.00"},
        "detail": "Paused Summer Sale",
    }
    approval.save(update_fields=["execution_result"])
    html = _page(console_as(spanish_approver), approval)
    assert "<td>estado</td><td>activa</td><td><strong>en pausa</strong></td>" in html
    assert "<td>presupuesto diario</td><td>500.00</td>" in html
    assert "<td>status</td>" not in html and "<td>daily budget</td>" not in html


def test_a_spanish_approvers_history_is_told_in_spanish_and_the_result_in_the_requesters_language(
    console_as, spanish_approver, ask, django_capture_on_commit_callbacks
):
    """The history's notes are kept in English and as sentences each reader is told in their language
    (tests/i18n/test_timeline_in_the_readers_language.py), an execution's detail too; where it is kept as text
    (the execution's result) it is written in the language of whoever the outcome is told first."""
    approval = ask()
    with django_capture_on_commit_callbacks(execute=True):
        console_as(spanish_approver).post(
            reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), {"decision": "approve"}
        )
    descriptions = list(approval.history.order_by("timestamp", "id").values_list("description", flat=True))
    assert f"Approved by {spanish_approver}." in descriptions, descriptions
    with translation.override("es"):
        assert f"Aprobada por {spanish_approver}." in [entry.text for entry in history(approval)]
    approval.refresh_from_db()
    # The worker carries it out after the request, in the language of whoever asked (the site's, English, for
    # this requester: next test); the Spanish approver reads its detail in Spanish.
    detail = "Summer Sale daily budget $500.00 -> $700.00"
    assert approval.execution_result["detail"] == detail and f"Done: {detail}" in descriptions
    with translation.override("es"):
        spanish = "Hecho: Presupuesto diario de Summer Sale 500,00 US$ -> 700,00 US$"
        assert spanish in [entry.text for entry in history(approval)]
    Campaign.objects.filter(pk=approval.action_data["campaign_id"]).update(daily_budget=Decimal("500.00"))
    with translation.override("es"):
        spanish = str(set_budget(approval.tenant, approval.action_data).detail)
    assert spanish == "Presupuesto diario de Summer Sale 500,00 US$ -> 700,00 US$"


def test_the_execution_is_written_in_the_requesters_language(
    console_as, english_approver, requester, ask, django_capture_on_commit_callbacks
):
    """The detail of an execution is what the requester is told first: their language, whoever approved it; its
    history line is kept in English and told in each reader's language around it."""
    requester.language = "es"
    requester.save(update_fields=["language"])
    approval = ask()
    with django_capture_on_commit_callbacks(execute=True):
        console_as(english_approver).post(
            reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), {"decision": "approve"}
        )
    approval.refresh_from_db()
    detail = "Presupuesto diario de Summer Sale 500,00 US$ -> 700,00 US$"
    assert approval.execution_result["detail"] == detail
    descriptions = list(approval.history.values_list("description", flat=True))
    english = "Done: Summer Sale daily budget $500.00 -> $700.00"
    assert f"Approved by {english_approver}." in descriptions and english in descriptions, descriptions
    with translation.override("es"):
        assert f"Hecho: {detail}" in [entry.text for entry in history(approval)]
