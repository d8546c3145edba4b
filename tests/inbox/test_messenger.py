"""The conversation page as a messenger: each step posted by htmx answers with the conversation's part of the page
(thread, outcome, boxes, sidebar), never a whole page or a redirect; the roles that may not answer are refused; the
contact sidebar, labels and canned responses are the tenant's own and masked where personal."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from conversations.models import CannedResponse, Conversation, Label
from tenants.models import AccessLog
from tests.factories import ConversationFactory, HITLApprovalFactory, PhoneFactory
from tests.inbox.conftest import wrote

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(conversation):
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])


def step(client, conversation, name, htmx=True, **fields):
    url = reverse("admin:conversations_conversation_takeover", args=[conversation.pk])
    return client.post(url, {"step": name, **fields}, **(HTMX if htmx else {}))


def live(client, conversation):
    return client.get(reverse("admin:conversations_conversation_live", args=[conversation.pk]), **HTMX)


def test_steps_answer_with_the_conversations_part_of_the_page(console_as, support, inbox):
    conversation = inbox["open_chat"]
    client = console_as(support)
    response = step(client, conversation, "take_over")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith('<div id="wk-conversation"')
    assert 'data-testid="step-outcome"' in html and "You hold this conversation now" in html
    assert 'data-testid="holder">Support Smith<' in html and 'data-testid="reply-text"' in html

    html = step(client, conversation, "reply", reply_text="Yes, fully waterproof.").content.decode()
    assert "Reply sent." in html and "Yes, fully waterproof." in html and 'data-testid="bubble-human"' in html
    html = step(client, conversation, "note", note_text="Asked about the tent.").content.decode()
    assert "Note added" in html and 'data-testid="bubble-note"' in html
    html = step(client, conversation, "release").content.decode()
    assert "Handed back to the agents." in html and 'data-testid="reply-text"' not in html
    html = step(client, conversation, "resolve").content.decode()
    assert "Resolved and closed." in html
    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.CLOSED


def test_without_htmx_a_step_still_posts_and_redirects(console_as, support, inbox):
    response = step(console_as(support), inbox["open_chat"], "take_over", htmx=False)
    assert response.status_code == 302 and response["Location"] == page(inbox["open_chat"])


def test_a_refused_step_is_told_in_place_and_keeps_what_was_typed(console_as, support, staff, inbox):
    held_by_admin = inbox["admins"]
    html = step(console_as(support), held_by_admin, "take_over").content.decode()
    assert "Admin Smith holds this conversation already." in html and "wk-error" in html
    client = console_as(support)
    step(client, inbox["open_chat"], "take_over")
    html = step(client, inbox["open_chat"], "reply", reply_text="x" * 5000, note_text="half a note").content.decode()
    assert "Texts are limited to 4,000 characters" in html
    assert "x" * 5000 + "</textarea>" in html and "half a note</textarea>" in html


def test_roles_that_answer_no_conversation_are_refused(console_as, staff, inbox, outsider):
    conversation = inbox["open_chat"]
    response = step(console_as(staff["compliance"]), conversation, "take_over")
    assert (
        response.status_code == 403
        and "You may not take over and answer this conversation." in response.content.decode()
    )
    assert step(console_as(staff["approver"]), conversation, "take_over").status_code == 404
    assert step(console_as(outsider), conversation, "take_over").status_code == 404
    assert Conversation.objects.get(pk=conversation.pk).held_by is None


def test_the_live_part_is_a_recorded_masked_view_for_those_who_may_see_it(console_as, staff, support, inbox, outsider):
    conversation = inbox["held"]
    html = live(console_as(support), conversation).content.decode()
    assert html.lstrip().startswith('<div id="wk-conversation"') and "Call me on [phone]" in html
    assert "priya.shah@acme.test" not in html and "555 0142" not in html
    assert AccessLog.objects.filter(actor=support, object_id=str(conversation.pk), action="viewed").count() == 1
    compliance = live(console_as(staff["compliance"]), conversation).content.decode()
    assert 'data-testid="thread"' in compliance and 'data-testid="takeover-panel"' not in compliance
    assert live(console_as(staff["approver"]), conversation).status_code == 404  # theirs to see: none
    assert live(console_as(outsider), conversation).status_code == 404


def test_labels_are_put_from_the_page_and_another_tenants_are_refused(console_as, support, inbox, other_tenant):
    conversation = inbox["held"]
    refund, vip = (Label.objects.create(tenant=support.tenant, name=name) for name in ("Refund", "VIP"))
    theirs = Label.objects.create(tenant=other_tenant, name="Theirs")
    client = console_as(support)
    html = step(client, conversation, "labels", label=[refund.pk, vip.pk]).content.decode()
    assert "Labels saved." in html and set(conversation.labels.all()) == {refund, vip}
    for refused in ([refund.pk, theirs.pk], ["1 OR 1=1"], [10**9]):
        html = step(client, conversation, "labels", label=refused).content.decode()
        assert "No such label." in html and "Theirs" not in html
        assert set(conversation.labels.all()) == {refund, vip}
    step(client, conversation, "labels")
    assert not conversation.labels.exists()


def test_canned_responses_arrive_filled_in_for_those_who_answer(console_as, support, staff, inbox, other_tenant):
    CannedResponse.objects.create(tenant=support.tenant, shortcut="hi", body="Hi {first_name}, {agent_name} here.")
    CannedResponse.objects.create(tenant=other_tenant, shortcut="theirs", body="Globex words")
    html = console_as(support).get(page(inbox["held"])).content.decode()
    assert '<script id="wk-canned" type="application/json">' in html
    assert '"shortcut": "hi", "text": "Hi Priya, Support Smith here."' in html and "Globex words" not in html
    assert 'id="wk-canned"' not in console_as(staff["compliance"]).get(page(inbox["held"])).content.decode()


def test_an_empty_canned_list_says_who_adds_them(console_as, support, staff, inbox):
    """Support reads canned responses; admins write them: each is told what to do about an empty list."""
    theirs = console_as(support).get(page(inbox["held"])).content.decode()
    assert 'data-testid="canned-none"' in theirs and "your admins add them under Conversations" in theirs
    admins = console_as(staff["admin"]).get(page(inbox["admins"])).content.decode()
    assert 'href="/admin/conversations/cannedresponse/add/"' in admins and "your admins" not in admins
    CannedResponse.objects.create(tenant=support.tenant, shortcut="hi", body="Hi {first_name}")
    assert 'data-testid="canned-none"' not in console_as(support).get(page(inbox["held"])).content.decode()


def test_handing_back_warns_while_the_customers_last_message_has_no_reply(console_as, support, inbox):
    client = console_as(support)
    html = client.get(page(inbox["held"])).content.decode()
    assert 'data-testid="unanswered-warning"' in html and "hx-confirm=" in html  # Priya wrote last
    step(client, inbox["held"], "reply", reply_text="On it, Priya.")
    html = client.get(page(inbox["held"])).content.decode()
    assert 'data-testid="unanswered-warning"' not in html and "hx-confirm=" not in html


def test_the_contact_sidebar(console_as, support, staff, priya, inbox, tenant):
    PhoneFactory(user=priya, phone_number="+14155550142", verified=True)
    earlier = ConversationFactory(user=priya, channel="email", status="closed")
    wrote(earlier, "An older question")
    HITLApprovalFactory(tenant=tenant, requested_by=priya, reference="BR-000777", action_summary="Pause Summer Sale")
    HITLApprovalFactory(tenant=tenant, requested_by=priya, reference="BR-000778", status="revising")
    HITLApprovalFactory(tenant=tenant, requested_by=priya, reference="BR-000779", status="rejected")
    for _ in range(6):  # more than the sidebar lists: the channels are the person's, not the listed rows'
        ConversationFactory(user=priya, channel="whatsapp", status="closed")
    ConversationFactory(user=priya, channel="chat", status="closed", last_message_at=timezone.now() - timedelta(days=9))
    for role, linked in (("support", False), ("compliance", True)):
        html = console_as(staff[role]).get(page(inbox["held"])).content.decode()
        sidebar = html.split('data-testid="contact-sidebar"', 1)[1].split("</aside>", 1)[0]
        assert 'data-testid="contact-name">Priya Shah<' in sidebar and "Member" in sidebar
        assert "p•••@acme.test" in sidebar and "priya.shah" not in sidebar
        assert "5550142" not in sidebar and "+•••••••••42" in sidebar, sidebar  # not "555": a link's UUID may hold it
        assert "Chat, Email, WhatsApp" in sidebar and page(inbox["open_chat"]) not in sidebar
        assert "BR-000777" in sidebar and "Pause Summer Sale" in sidebar and "BR-000778" in sidebar
        assert "BR-000779" not in sidebar  # decided: no longer open
        assert ("/admin/hitl/hitlapproval/" in sidebar) is linked


def details(html: str) -> str:
    start = html.index('data-testid="conversation-details"')
    return html[start : html.index("</div>", start)]


def test_the_conversations_details_are_in_the_part_each_step_refreshes(console_as, support, inbox):
    """Status, agent, times and rating changed under a stale "Open" in the form below the part (issue 50, point 7:
    details refreshed after resolve): they are the part's own now, fresh after each step."""
    conversation = inbox["open_chat"]
    client = console_as(support)
    before = details(live(client, conversation).content.decode())
    assert "Open" in before and "Not asked" in before
    step(client, conversation, "take_over")
    after = details(step(client, conversation, "resolve").content.decode())
    assert "Closed" in after and "Open" not in after
    assert "Ended" in after
    form = client.get(page(conversation)).content.decode()
    assert form.count('data-testid="conversation-details"') == 1 and "field-status" not in form
