"""The console's search by words reads PostgreSQL's full-text index of the messages (conversations/migrations/0012):
its expression is the one the search writes, so a big tenant's search is an index lookup, not every message's
words computed (bench/big_tenant_bench.py)."""

import pytest
from django.db import connection

from conversations.models import Conversation
from conversations.search import matching


@pytest.mark.postgres("a PostgreSQL index and its plan")
@pytest.mark.django_db
def test_a_search_by_words_reads_the_messages_full_text_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows would rightly be read whole
    plan = Conversation.objects.filter(matching("invoice")).explain()
    assert "message_words" in plan
