"""The console's takeover controls, driven as a browser would (Django's test client)."""

from pathlib import Path

import pytest
from django.urls import reverse

from agents.engines import get_engine
from conversations import takeover
from conversations.models import Conversation, ConversationNote, Message
from tenants.roles import Role
from tests.takeover.conftest import say


def page(conversation):
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])


def step(client, conversation, name, **fields):
    url = reverse("admin:conversations_conversation_takeover", args=[conversation.pk])
    return client.post(url, {"step": name, **fields}, follow=True)


def test_support_takes_over_replies_notes_and_hands_back_from_the_page(console_as, chatting, support, customer):
    client = console_as(support)
    html = client.get(page(chatting)).content.decode()
    assert 'data-testid="take-over"' in html and 'data-testid="reply"' not in html

    html = step(client, chatting, "take_over").content.decode()
    assert Conversation.objects.get(pk=chatting.pk).held_by == support
    assert 'data-testid="holder">Support Smith<' in html and 'data-testid="reply-text"' in html

    step(client, chatting, "reply", text="Hi, Support here.")
    html = step(client, chatting, "note", text="Wants a refund; check with finance.").content.decode()
    reply = Message.objects.get(sender_type="human")
    assert (reply.text, reply.metadata["author"]) == ("Hi, Support here.", "Support Smith")
    assert 'data-testid="bubble-human"' in html and 'data-testid="bubble-note"' in html
    assert "Internal note · Support Smith" in html and "Wants a refund" in html

    step(client, chatting, "release")
    assert Conversation.objects.get(pk=chatting.pk).held_by is None
    _, answer = say(customer, "Thanks, and how is my Summer Sale?")
    assert answer is not None  # the agents are back


def test_suggest_fills_the_reply_box_and_sends_nothing(console_as, chatting, support, customer, engine):
    say(customer, "Could you pause the Summer Sale?")
    client = console_as(support)
    step(client, chatting, "take_over")
    messages = Message.objects.count()
    engine.reply.text = "I can pause it for you once you confirm."
    html = step(client, chatting, "suggest").content.decode()
    assert "I can pause it for you once you confirm.</textarea>" in html
    assert Message.objects.count() == messages
    assert "I can pause it" not in client.get(page(chatting)).content.decode()  # shown once, then gone


def test_assigning_from_the_page_lists_only_colleagues_who_may_handle(console_as, chatting, staff, support):
    client = console_as(support)
    html = client.get(page(chatting)).content.decode()
    assert "Admin Smith" in html
    for name in ("Approver Smith", "Compliance Smith", "Member Smith"):
        assert f">{name}<" not in html
    step(client, chatting, "assign", user=str(staff[Role.ADMIN].pk))
    assert Conversation.objects.get(pk=chatting.pk).held_by == staff[Role.ADMIN]
    response = step(client, chatting, "assign", user=str(staff[Role.COMPLIANCE].pk))
    assert "may not handle" in response.content.decode()
    assert Conversation.objects.get(pk=chatting.pk).held_by == staff[Role.ADMIN]


def test_compliance_sees_the_thread_but_no_controls_and_cannot_post_steps(console_as, chatting, staff):
    client = console_as(staff[Role.COMPLIANCE])
    html = client.get(page(chatting)).content.decode()
    assert 'data-testid="thread"' in html and 'data-testid="takeover-panel"' not in html
    response = step(client, chatting, "take_over")
    assert "You may not take over and answer this conversation." in response.content.decode()
    assert Conversation.objects.get(pk=chatting.pk).held_by is None


def test_another_tenants_admin_gets_404(console_as, chatting, outsider):
    url = reverse("admin:conversations_conversation_takeover", args=[chatting.pk])
    assert console_as(outsider).post(url, {"step": "take_over"}).status_code == 404


def test_a_get_changes_nothing(console_as, chatting, support):
    url = reverse("admin:conversations_conversation_takeover", args=[chatting.pk])
    assert console_as(support).get(url).status_code == 405


def test_the_list_shows_who_answers_and_filters_by_it(console_as, chatting, staff, support, customer, engine):
    other = say(customer, "x", channel="email")[0].conversation
    takeover.assign(chatting.pk, actor=support)
    client = console_as(support)
    listing = reverse("admin:conversations_conversation_changelist")

    def shown(query):
        html = client.get(f"{listing}?{query}").content.decode()
        return {c for c in (chatting, other) if str(c.pk)[:8] in html}

    assert shown("held=me") == {chatting}
    assert shown("held=person") == {chatting}
    assert shown("held=agents") == {other}
    assert "Support Smith" in client.get(listing).content.decode()
    assert console_as(staff[Role.ADMIN]).get(f"{listing}?held=me").content.decode().count(str(chatting.pk)[:8]) == 0


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_reply_or_note_is_refused_with_a_message(console_as, chatting, support, text):
    client = console_as(support)
    step(client, chatting, "take_over")
    for name in ("reply", "note"):
        assert "The text is empty." in step(client, chatting, name, text=text).content.decode()
    assert not ConversationNote.objects.exists() and not Message.objects.filter(sender_type="human").exists()


def test_a_colleague_gets_no_controls_to_end_a_hold_nor_may_post_them(console_as, chatting, staff, support, support2):
    """Issue 29: support2 could hand back a conversation support held; the page and its steps agree with the API."""
    step(console_as(support), chatting, "take_over")
    client = console_as(support2)
    html = client.get(page(chatting)).content.decode()
    assert 'data-testid="holder">Support Smith<' in html and 'data-testid="add-note"' in html  # sees it, notes it
    for control in ("release", "resolve", "assign"):
        assert f'data-testid="{control}"' not in html
    for name, fields in (("release", {}), ("resolve", {}), ("assign", {"user": str(staff[Role.ADMIN].pk)})):
        response = step(client, chatting, name, **fields)
        assert "only they or an admin may hand it back" in response.content.decode()
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert (conversation.held_by, conversation.is_open) == (support, True)

    admin = console_as(staff[Role.ADMIN])
    html = admin.get(page(chatting)).content.decode()
    assert all(f'data-testid="{control}"' in html for control in ("release", "resolve", "assign"))
    step(admin, chatting, "release")
    assert Conversation.objects.get(pk=chatting.pk).held_by is None


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.COMPLIANCE])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_conversation_page_shows_no_raw_template_comment(console_as, chatting, staff, role, language):
    """A `{# #}` comment spans one line only: one left open is printed on the page as it is written."""
    client = console_as(staff[role])
    html = client.get(page(chatting), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-testid="bubble-' in html  # the thread and its panel were rendered
    assert "{#" not in html and "#}" not in html


def test_no_template_opens_a_comment_it_does_not_close_on_the_same_line():
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*")
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert unclosed == []


NO_SUGGESTION = "No suggestion for this message: the agent could not work out an answer. Write your own reply."


def test_suggest_says_plainly_when_the_built_in_engine_does_not_understand(
    console_as, chatting, support, customer, engine, monkeypatch
):
    """Issue 30: the engine's "Sorry, I didn't get that. You can ask me things like…" filled the reply box."""
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", get_engine)
    say(customer, "banana")
    client = console_as(support)
    step(client, chatting, "take_over")
    html = step(client, chatting, "suggest").content.decode()
    assert NO_SUGGESTION in html and "in the reply box" not in html
    assert "ask me things like" not in reply_box(html)


def test_suggest_says_plainly_when_the_engine_fails(console_as, chatting, support, customer, engine):
    say(customer, "Could you pause the Summer Sale?")
    client = console_as(support)
    step(client, chatting, "take_over")
    engine.error = RuntimeError("the model is down")
    html = step(client, chatting, "suggest").content.decode()
    assert NO_SUGGESTION in html and "couldn&#x27;t work that out" not in reply_box(html)


def test_suggest_from_the_built_in_engine_fills_the_box_with_a_real_answer(
    console_as, chatting, support, engine, monkeypatch
):
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", get_engine)
    client = console_as(support)
    step(client, chatting, "take_over")
    html = step(client, chatting, "suggest").content.decode()
    assert NO_SUGGESTION not in html and "in the reply box" in html
    assert reply_box(html).strip() and "didn&#x27;t get that" not in reply_box(html)


def reply_box(html: str) -> str:
    """The text of the page's reply box."""
    start = html.index('data-testid="reply-text"')
    return html[html.index(">", start) + 1 : html.index("</textarea>", start)]
