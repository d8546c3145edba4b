"""Points 3 and 4: inbound parse behind basic auth, quote stripping, dedupe, unknown senders, threading."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics.models import EmailDeliveryLog
from channels_app.email.route import attachment_names
from channels_app.email.threading import reply_address
from conversations.models import Conversation, Message
from conversations.services import open_conversation
from tenants.privacy.subject_requests import erase_person
from tenants.roles import Role
from tests.factories import UserFactory
from tests.fixtures.email import basic, parse_fields

QUESTION = "How are our campaigns doing?"
QUOTED = f"{QUESTION}\n\nOn Mon, 3 Nov 2026 at 09:12, Walker <walker@walker.test> wrote:\n> Earlier answer\n> more\n"


def inbound(**filters):
    return Message.objects.filter(direction="inbound", channel="email", **filters)


def reply_to(message: Message) -> Message:
    return message.replies.get(direction="outbound")


@pytest.mark.parametrize(
    "auth", [None, basic(password="wrong"), basic(user="someone"), "Bearer x", "Basic !!!notbase64"]
)
def test_without_the_inbound_credentials_nothing_is_read(client, requester, auth):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.post("/channels/email/inbound", data={"from": requester.email, "text": "hi"}, **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    assert response.json()["code"] == "unauthorized" and not Message.objects.exists()


def test_without_configured_credentials_everything_is_refused(client, requester, settings):
    settings.SENDGRID_INBOUND_USER = settings.SENDGRID_INBOUND_PASSWORD = ""
    response = client.post("/channels/email/inbound", data={"from": requester.email}, HTTP_AUTHORIZATION=basic("", ""))
    assert response.status_code == 401


def test_malformed_multipart_answers_400_with_a_reason_and_stores_nothing(client, requester):
    body = b"--b\r\nContent-Disposition: form-data; name=from\r\n\r\nrequester@acme.test"  # no closing boundary
    for content_type in ["multipart/form-data", "multipart/form-data; boundary="]:
        response = client.generic(
            "POST", "/channels/email/inbound", body, content_type=content_type, HTTP_AUTHORIZATION=basic()
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "malformed_multipart" and response.json()["detail"]
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_a_form_that_is_not_multipart_or_lacks_a_sender_answers_400(client, post_email, requester):
    response = client.post(
        "/channels/email/inbound", data="from=x", content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic(),
    )  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "not_multipart"
    response = post_email(sender="not an address", headers={"From": None})
    assert response.status_code == 400 and response.json() == {
        "code": "malformed_email",
        "detail": "The post names no sender ('from').",
    }
    assert not Message.objects.exists()


def test_a_known_sender_writes_to_the_agent_and_the_reply_is_threaded(post_email, requester, sendgrid, agents):
    pdf = SimpleUploadedFile("brief.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = post_email(
        sender="Pat <Requester@Acme.test>", text=QUOTED, subject="Campaigns", files={"attachment1": pdf}
    )
    assert response.status_code == 200 and response.json() == {"outcome": "message"}
    message = inbound().get()
    assert message.text == QUESTION  # the quoted history is gone
    assert message.channel_message_id == "m1@client.test"
    assert message.metadata["attachments"] == [{"type": "application/pdf"}]  # the name is kept encrypted
    assert attachment_names(message) == ["brief.pdf"] and "brief.pdf" not in json.dumps(message.metadata)
    reply = reply_to(message)
    (mail,) = sendgrid.mails
    headers = mail["headers"]
    assert (
        headers["Message-ID"] == f"<{reply.pk}@mail.walker.test>"
        and reply.channel_message_id == f"{reply.pk}@mail.walker.test"
    )
    assert headers["In-Reply-To"] == "<m1@client.test>" and headers["References"] == "<m1@client.test>"
    assert mail["reply_to"]["email"] == reply_address(message.conversation)
    assert mail["subject"] == "Re: Campaigns" and mail["custom_args"]["walker_message"] == str(reply.pk)
    assert reply.status == "sent" and EmailDeliveryLog.objects.get().email_type == "reply"


def test_signatures_are_stripped(post_email, requester):
    post_email(sender=requester.email, text=f"{QUESTION}\n\n-- \nPat Person\nAcme Outdoor\n+1 415 555 0100\n")
    assert inbound().get().text == QUESTION


def test_a_retried_post_stores_and_sends_nothing_more(post_email, requester, sendgrid):
    for _ in range(2):
        assert post_email(sender=requester.email, text=QUESTION).status_code == 200
    assert inbound().count() == 1 and len(sendgrid.mails) == 1


def test_an_unknown_address_gets_one_polite_reply_and_no_conversation(post_email, sendgrid, db):
    for _ in range(2):
        response = post_email(sender="stranger@elsewhere.test", text=QUESTION, subject="Hi there")
        assert response.json() == {"outcome": "unknown_sender"}
    (mail,) = sendgrid.mails
    assert mail["personalizations"][0]["to"] == [{"email": "stranger@elsewhere.test"}]
    assert "don't recognise" in mail["content"][0]["value"] and mail["subject"] == "Re: Hi there"
    assert mail["headers"]["Auto-Submitted"] == "auto-replied" and mail["headers"]["In-Reply-To"] == "<m1@client.test>"
    assert not Conversation.objects.exists()


def test_automatic_mail_is_never_answered(post_email, sendgrid, requester):
    response = post_email(sender="stranger@elsewhere.test", headers={"Auto-Submitted": "auto-replied"})
    assert response.json() == {"outcome": "ignored"} and sendgrid.mails == []


class TestThreading:
    """The reply-to token, else In-Reply-To, else References; each checked with a newer open conversation
    that the message would join without them."""

    @pytest.fixture
    def first(self, post_email, requester):
        post_email(sender=requester.email, text=QUESTION)
        message = inbound().get()
        return message.conversation, reply_to(message).channel_message_id

    @pytest.fixture
    def newer(self, first, requester):
        return open_conversation(requester, "email")

    def conversation_of(self, message_id):
        return inbound(channel_message_id=message_id).get().conversation

    def test_by_the_reply_to_token(self, first, newer, post_email, requester):
        conversation, _ = first
        post_email(sender=requester.email, to=reply_address(conversation), headers={"Message-ID": "<m2@client.test>"})
        assert self.conversation_of("m2@client.test") == conversation

    def test_by_in_reply_to(self, first, newer, post_email, requester):
        conversation, sent_id = first
        post_email(sender=requester.email, headers={"Message-ID": "<m2@client.test>", "In-Reply-To": f"<{sent_id}>"})
        assert self.conversation_of("m2@client.test") == conversation

    def test_by_references(self, first, newer, post_email, requester):
        conversation, sent_id = first
        refs = f"<unknown@elsewhere.test> <{sent_id}>"
        post_email(sender=requester.email, headers={"Message-ID": "<m2@client.test>", "References": refs})
        assert self.conversation_of("m2@client.test") == conversation

    def test_without_keys_or_an_open_conversation_a_new_one_opens(self, first, post_email, requester):
        conversation, _ = first
        Conversation.objects.filter(pk=conversation.pk).update(status="closed")
        post_email(sender=requester.email, headers={"Message-ID": "<m2@client.test>"})
        assert self.conversation_of("m2@client.test") != conversation

    def test_without_keys_a_new_one_opens_beside_the_open_one(self, first, post_email, requester):
        conversation, _ = first
        post_email(sender=requester.email, headers={"Message-ID": "<m2@client.test>"})
        fresh = self.conversation_of("m2@client.test")
        assert fresh != conversation and fresh.user == requester
        conversation.refresh_from_db()
        assert conversation.is_open  # the other thread goes on

    def test_a_reply_to_a_closed_conversation_opens_a_new_one(self, first, post_email, requester):
        conversation, sent_id = first
        Conversation.objects.filter(pk=conversation.pk).update(status="closed")
        post_email(sender=requester.email, headers={"Message-ID": "<m2@client.test>", "In-Reply-To": f"<{sent_id}>"})
        assert self.conversation_of("m2@client.test") != conversation

    def test_another_persons_token_or_a_forged_one_is_ignored(self, first, newer, post_email, colleague):
        conversation, sent_id = first
        post_email(
            sender=colleague.email,
            to=reply_address(conversation),
            headers={"Message-ID": "<m2@client.test>", "In-Reply-To": f"<{sent_id}>"},
        )
        theirs = self.conversation_of("m2@client.test")
        assert theirs != conversation and theirs.user == colleague
        forged = "reply+" + conversation.pk.hex + "0" * 16 + "@mail.walker.test"
        assert reply_address(conversation) != forged
        post_email(sender=conversation.user.email, to=forged, headers={"Message-ID": "<m3@client.test>"})
        assert self.conversation_of("m3@client.test") not in (conversation, newer)  # no key matched: a new thread


def test_text_that_cannot_be_stored_answers_400_and_stores_nothing(post_email, requester):
    response = post_email(sender=requester.email, text="hello\x00world")
    assert response.status_code == 400 and response.json() == {
        "code": "malformed_email",
        "detail": "'text': Text may not contain NUL characters.",
    }
    assert not Message.objects.exists()


def test_attachment_names_are_erased_with_the_person(post_email, requester, tenant, agents):
    files = {f"attachment{n}": SimpleUploadedFile(f"Jane Doe {n}.pdf", b"%PDF", "application/pdf") for n in (1, 2)}
    post_email(sender=requester.email, text=QUESTION, files=files)
    message = inbound().get()
    assert sorted(attachment_names(message)) == ["Jane Doe 1.pdf", "Jane Doe 2.pdf"]
    erase_person(UserFactory(tenant=tenant, role=Role.COMPLIANCE), requester, reason="Art. 17")
    message.refresh_from_db()
    assert "attachment" not in json.dumps(message.metadata) and attachment_names(message) == []


def test_more_attachments_than_a_post_may_hold_answer_a_clear_413(post_email, requester, settings):
    files = {f"attachment{n}": SimpleUploadedFile(f"{n}.txt", b"x", "text/plain") for n in range(1, 201)}
    response = post_email(sender=requester.email, text=QUESTION, files=files)
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_many_attachments" and "100" in response.json()["detail"]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "envelope",
    [
        "[" * 100_000 + "]" * 100_000,  # Python's parser gives up with RecursionError
        json.dumps({"to": ["assistant@mail.walker.test\u0000"], "from": "requester@acme.test"}),
        json.dumps({"to": ["assistant@mail.walker.test"], "from": "requester@acme.test\u0000"}),
        '{"to": ["\\ud800"]}',
    ],
)
def test_an_envelope_that_cannot_be_read_answers_400(client, requester, envelope):
    data = {**parse_fields(sender=requester.email, text=QUESTION), "envelope": envelope}
    response = client.post("/channels/email/inbound", data=data, HTTP_AUTHORIZATION=basic())
    assert response.status_code == 400 and response.json()["code"] == "malformed_email"
    assert "envelope" in response.json()["detail"] and not Message.objects.exists()
