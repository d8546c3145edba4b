"""The full-text index of what messages say, for the console's search (conversations.search): without it a search
computes the words of every message of the tenant (seconds at a million conversations, bench/big_tenant_bench.py).

PostgreSQL only (SQLite searches by substring). Built CONCURRENTLY, so a big tenant's messages stay writable while
it is built; its expression is the one Django writes for SearchVector("sealed_text", config="english"), so the
planner uses it for that search."""

from django.db import migrations

from core.postgresql import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("conversations", "0011_person_requested")]

    operations = [
        RunSQLOnPostgreSQL(
            [
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS message_words ON conversations_message "
                "USING gin (to_tsvector('english'::regconfig, COALESCE(text, ''::text)))"
            ],
            reverse_sql=["DROP INDEX CONCURRENTLY IF EXISTS message_words"],
        )
    ]
