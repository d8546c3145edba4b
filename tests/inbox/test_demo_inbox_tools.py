"""The demo tenant comes with labels and canned responses (conversations/demo.py), so the inbox's filters and the
reply box's `/` show something on a fresh `make run`; seeding again adds nothing."""

import io

import pytest
from django.core.management import call_command

from conversations.canned_text import unknown_variables
from conversations.models import CannedResponse, Label

pytestmark = pytest.mark.django_db


def test_the_demo_has_labels_and_canned_responses_that_fill_in_and_a_second_seed_adds_none():
    call_command("seed_demo", stdout=io.StringIO())
    labels, canned = list(Label.objects.values_list("name", flat=True)), list(CannedResponse.objects.all())
    assert labels == ["Billing", "Campaign question", "VIP"]
    assert [c.shortcut for c in canned] == ["budget", "handback", "hello"]
    assert all(unknown_variables(c.body) == [] for c in canned)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Label.objects.count() == 3 and CannedResponse.objects.count() == 3
    assert "exists   3 labels, 3 canned responses" in out.getvalue()
