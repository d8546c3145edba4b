"""`execution_retry` (an attempt failed, another is on its way) and `execution_retried` (an admin asked to run it
again) said the same thing, "it will run again", under two names; the code now writes `execution_retried` only, and
stored rows of the other are renamed.

The approval history is append-only on PostgreSQL (0018). Its trigger gains one more narrow way: the event type
of a row, and nothing else of it, may change while `walker.renaming_history_events` is on for the transaction
*and* the statement runs as the tables' owner (a migration such as this one). The application's role setting the
flag changes nothing.
"""

from django.db import migrations

RENAMED = {"execution_retry": "execution_retried"}
RENAMING_FLAG = "walker.renaming_history_events"

OWNER = "pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')"
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION hitl_history_append_only() RETURNS trigger AS $$
BEGIN
    IF to_jsonb(NEW) - 'description' - 'actor_id' = to_jsonb(OLD) - 'description' - 'actor_id'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.description = OLD.description
            OR ((current_setting('walker.hitl_history_rewrite', true) = 'on'
                 OR current_setting('walker.rewriting_encrypted_values', true) = 'on')
                AND %(owner)s))
    THEN
        RETURN NEW;
    END IF;%(renaming)s
    RAISE EXCEPTION 'approval history is append-only (UPDATE refused)';
END;
$$ LANGUAGE plpgsql;
"""
RENAMING = """
    IF to_jsonb(NEW) - 'event_type' = to_jsonb(OLD) - 'event_type'
       AND current_setting('walker.renaming_history_events', true) = 'on'
       AND %(owner)s
    THEN
        RETURN NEW;
    END IF;""" % {"owner": OWNER}
WITH_RENAMING = APPEND_ONLY % {"owner": OWNER, "renaming": RENAMING}
WITHOUT_RENAMING = APPEND_ONLY % {"owner": OWNER, "renaming": ""}


def _on_postgresql(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation

    return apply


def rename_events(apps, schema_editor):
    """Rewrite the stored rows of each old name (on PostgreSQL in a transaction that says it renames events)."""
    History = apps.get_model("hitl", "HITLApprovalHistory")  # the historical model: a plain manager, updates allowed
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [RENAMING_FLAG])
        for old, new in RENAMED.items():
            History.objects.filter(event_type=old).update(event_type=new)
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'off', true)", [RENAMING_FLAG])


class Migration(migrations.Migration):
    dependencies = [("hitl", "0024_history_and_notification_events_by_name")]

    operations = [
        migrations.RunPython(_on_postgresql(WITH_RENAMING), _on_postgresql(WITHOUT_RENAMING)),
        # Not reversed: the two kinds are told apart by their actor (none for an automatic retry), not their name.
        migrations.RunPython(rename_events, migrations.RunPython.noop),
    ]
