"""Every console page a demo role reaches, rendered for a person whose language is Spanish, shows no English
catalogue string (the rule: tests/i18n/english.py). The pages are found, not listed: every URL of the admin
site a role may open (index, app lists, each model's list, add, change, history and delete pages, and each
model admin's own views), the change pages of several rows of each list, and each add form posted empty (its
errors). The data is the demo's, after the first hour: questions, requests decided every way, a takeover."""

import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory, TestCase
from django.urls import URLPattern, reverse
from django.utils import translation

from agents.models import Campaign
from conversations import takeover
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from reports.tasks import aggregate_approvals, refresh_conversation_metrics
from tenants.models import Tenant, User
from tenants.privacy.audit import Origin
from tenants.privacy.subject_requests import export_person
from tests.i18n.english import english_on, visible_text
from tests.made_once import made_once
from tests.pipeline import exchange

ROLES = ["admin@acme.test", "approver@acme.test", "support@acme.test", "compliance@acme.test", "platform@walker.test"]
MEMBER_PHONE = "+14155550105"  # member@acme.test
# (the questions are not the widget page's examples: a message that is also a msgid would read as English)
# Change pages opened per list: four approvals and conversations (the states the flow below leaves them in), one
# row of any other list (its change page's words are the same whatever the row; each row costs every role a page).
ROWS_PER_LIST = {"hitl.hitlapproval": 4, "conversations.conversation": 4}
NOT_PAGES = {"logout", "autocomplete", "jsi18n", "view_on_site", "login", "app_list"}  # not HTML, or not a page


def _first_hour() -> dict[str, str]:
    """The demo tenant after its first hour, every person reading Spanish: their primary keys by address."""
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme-outdoor")
    User.objects.update(language="es")
    # the demo's "Platform Admin" would read as two words of the console: a name that is no word of it
    User.objects.filter(email="platform@walker.test").update(first_name="Plataforma", last_name="Walker")
    people = {user.email: user for user in User.objects.all()}

    def whatsapp(text):
        return exchange(InboundMessage(channel="whatsapp", text=text, sender_phone=MEMBER_PHONE))

    # the member writes Spanish too: agents answer each message in its own language, and what they write is
    # the conversation's data, read on these pages as written
    whatsapp("¿Qué tal va la campaña Summer Sale?")
    asked = [
        whatsapp("Pon el presupuesto diario de Summer Sale en 700 $"),
        whatsapp("¿Puedes pausar la campaña Brand Search?"),
        whatsapp("Pon el presupuesto diario de Site Retargeting en 900 $"),
        whatsapp("Pon el presupuesto diario de Fall Hiking Boots en 5000 $"),
    ]
    approvals = [HITLApproval.objects.get(pk=a.actions[0].approval_id) for a in asked if a.actions]
    assert len(approvals) >= 3, [a.reply.text for a in asked]
    console = Client()  # the approver decides in the console, in Spanish
    console.force_login(people["approver@acme.test"])
    decide = [
        (approvals[0], {"decision": "approve", "notes": "Fine for the sale week", "edit_daily_budget": "650.00"}),
        (approvals[1], {"decision": "reject", "reason": "Not before the weekend"}),
    ]
    for approval, form in decide:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = console.post(reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), form)
        assert response.status_code == 302, response
    conversation = asked[0].conversation
    support = people["support@acme.test"]
    takeover.assign(conversation.pk, actor=support)
    takeover.add_note(conversation.pk, actor=support, text="Customer asked twice")
    with translation.override("es"):  # what a person does in the console is written in their language
        takeover.reply(conversation.pk, actor=support, text="Listo, el presupuesto ya es de 650 $.")
    export_person(
        people["compliance@acme.test"], people["member@acme.test"], reason="Access request", origin=Origin("/admin/")
    )
    refresh_conversation_metrics()
    aggregate_approvals()
    assert Campaign.objects.filter(tenant=tenant, daily_budget=Decimal("650.00")).exists()
    return {email: person.pk for email, person in people.items()}


@pytest.fixture(scope="module")
def _first_hour_made_once(django_db_blocker):
    """Made once for the module (tests/made_once.py): every role's crawl reads the same first hour."""
    with made_once(django_db_blocker, _first_hour) as made:
        yield made


@pytest.fixture
def first_hour(db, _first_hour_made_once):
    """The people of the demo's first hour, by address."""
    people = User.objects.in_bulk(_first_hour_made_once.values())
    return {email: people[pk] for email, pk in _first_hour_made_once.items()}


def _model_pages(model_admin, request) -> list[str]:
    """The pages of one model admin the viewer may open: its URLs without an argument, and the object ones for
    the newest rows of its list."""
    pages = []
    opened = ROWS_PER_LIST.get(model_admin.model._meta.label_lower, 1)
    rows = list(model_admin.get_queryset(request).order_by("-pk").values_list("pk", flat=True)[:opened])
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        arguments = set(pattern.pattern.regex.groupindex)
        name = f"admin:{pattern.name}"
        if not arguments:
            pages.append(reverse(name))
        elif arguments <= {"object_id", "object_pk", "id"}:
            pages += [reverse(name, kwargs=dict.fromkeys(arguments, str(pk))) for pk in rows]
    return pages


def console_pages(user) -> list[str]:
    """Every admin page `user` may open, found from the admin site's URLs."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for pattern in admin.site.get_urls():
        if (
            isinstance(pattern, URLPattern)
            and pattern.name
            and pattern.name not in NOT_PAGES
            and not pattern.pattern.regex.groupindex
        ):
            pages.append(reverse(f"admin:{pattern.name}"))
    for app in admin.site.get_app_list(request):
        pages.append(reverse("admin:app_list", args=[app["app_label"]]))
    for model_admin in admin.site._registry.values():
        if model_admin.has_view_or_change_permission(request) or model_admin.has_add_permission(request):
            pages += _model_pages(model_admin, request)
    return pages


def _render(client: Client, url: str, method: str = "get"):
    response = getattr(client, method)(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return response.content.decode()


@pytest.mark.slow
@pytest.mark.shape_neutral("the words of pages; tests/console/test_plain_words renders them all on PostgreSQL")
@pytest.mark.parametrize("email", ROLES)
def test_every_console_page_a_role_reaches_reads_in_spanish(first_hour, email, client):
    user = first_hour[email]
    client.force_login(user)
    english, seen = {}, 0
    for url in dict.fromkeys(console_pages(user)):
        html = _render(client, url)
        if html is None:
            continue
        seen += 1
        assert 'lang="es"' in html or "<html" not in html, url  # (the sidebar search answers a fragment)
        if found := english_on(html):
            english[url] = found
        if url.endswith("/add/") and (errors := _render(client, url, "post")) and (found := english_on(errors)):
            english[f"{url} (posted empty)"] = found
    assert seen >= 10, seen
    assert english == {}, "\n".join(f"{url}: {found}" for url, found in english.items())


@pytest.mark.slow
def test_the_rule_finds_english_where_there_is_english(first_hour, client):
    """The same pages for a person reading English: the check must find the console's words in them."""
    user = first_hour["admin@acme.test"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    html = client.get(reverse("admin:hitl_hitlapproval_changelist") + "?queue=all").content.decode()
    found = english_on(html)
    for expected in ["Approval requests", "Show all", "Filters", "Everything"]:
        assert expected in found or expected not in visible_text(html), expected
    assert len(found) >= 10, found
    with translation.override("es"):
        assert english_on("<p>Guardar</p><p>Mostrar todo</p>") == []
