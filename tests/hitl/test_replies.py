"""One reply grammar (hitl.replies) for email and WhatsApp: what either channel's own pattern accepted, both accept;
what both refused stays refused; the Spanish verbs are read as the English ones."""

import re

import pytest

from channels_app.email import commands
from hitl import replies

# The two patterns the channels had before they shared the grammar, kept here as the record of what they accepted.
EMAIL_BEFORE = re.compile(r"^\s*(?P<verb>approve|reject)\s+(?P<ref>BR-\d{6})\b[ \t:,.-]*(?P<notes>.*)$", re.I | re.S)
WHATSAPP_BEFORE = re.compile(r"^\s*(approve|reject)\s+(BR-\d{6})\b[\s:,.-]*(.*)$", re.IGNORECASE | re.DOTALL)

READ = [
    # (text, verb, reference, note)
    ("approve BR-123456", "approve", "BR-123456", ""),
    ("APPROVE br-123456", "approve", "BR-123456", ""),
    ("  approve   BR-123456: fine by me", "approve", "BR-123456", "fine by me"),
    ("approve BR-123456\nfine\tby  me", "approve", "BR-123456", "fine by me"),
    ("reject BR-123456 too expensive this month", "reject", "BR-123456", "too expensive this month"),
    ("reject BR-123456, too expensive", "reject", "BR-123456", "too expensive"),
    ("Reject BR-123456 - not now", "reject", "BR-123456", "not now"),
    ("reject BR-123456. Budget freeze.", "reject", "BR-123456", "Budget freeze."),
    ("reject BR-123456\nno budget left", "reject", "BR-123456", "no budget left"),
    ("reject BR-123456", "reject", "BR-123456", ""),  # read; the door then asks for the reason
    ("aprobar BR-123456", "approve", "BR-123456", ""),
    ("Aprobar BR-123456 de acuerdo", "approve", "BR-123456", "de acuerdo"),
    ("rechazar BR-123456: demasiado caro", "reject", "BR-123456", "demasiado caro"),
    ("RECHAZAR br-123456", "reject", "BR-123456", ""),
]

REFUSED = [
    "",
    "approve",
    "approve BR-12345",
    "approve BR-1234567",
    "approve BR-123456x",
    "approveBR-123456",
    "approve: BR-123456",
    "approved BR-123456",
    "please approve BR-123456",
    "approve XY-123456",
    "aprobado BR-123456",
    "How is the Summer Sale doing?",
    "brief",
    "SEO: approve BR-123456",
]


@pytest.mark.parametrize("text, verb, reference, note", READ)
def test_the_grammar_reads_the_verb_the_reference_and_the_note(text, verb, reference, note):
    assert replies.read(text) == replies.Reply(verb, reference, note)


@pytest.mark.parametrize("text", REFUSED)
def test_what_is_not_a_decision_is_left_to_the_agents(text):
    assert replies.read(text) is None
    assert not (EMAIL_BEFORE.match(text) or WHATSAPP_BEFORE.match(text))  # neither channel read it before either


ENGLISH = [text for text, *_ in READ if not text.lower().lstrip().startswith(("aprob", "rech"))]


@pytest.mark.parametrize("text", ENGLISH)
def test_every_phrasing_either_channel_accepted_is_accepted_by_both(text):
    assert EMAIL_BEFORE.match(text) or WHATSAPP_BEFORE.match(text)  # one of them read it before
    assert replies.read(text) is not None
    assert commands.is_command(text)  # the email door reads it with the same grammar (WhatsApp calls it directly)


# Email's quoted history and signature come after a blank line; a WhatsApp message's paragraphs are all the writer's.
PARAGRAPHS = [
    "Approve BR-123456 looks good\n\n> quoted",
    "approve BR-123456\n\nOn Tuesday, Walker wrote:\n> Approval needed",
    "reject BR-123456\n\ntoo expensive this month",
    "reject BR-123456: over budget\n\n-- \nDana Reyes, Acme Outdoor",
]


@pytest.mark.parametrize("text", ENGLISH + PARAGRAPHS)
def test_the_note_is_what_each_channel_took_before(text):
    """Email took the rest of the first paragraph; WhatsApp took everything after the reference."""
    email, whatsapp = EMAIL_BEFORE.match(text), WHATSAPP_BEFORE.match(text)
    assert commands.decision_in(text).note == " ".join(email["notes"].split("\n\n")[0].split())
    assert replies.read(text).note == " ".join(whatsapp[3].split())
