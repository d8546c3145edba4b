"""The history's note kept to be told in each reader's language (`said`, core.sentence), and the PostgreSQL guards
(hitl/migrations/0001) taught that it is part of the note: it changes only with `description`, through
`hitl_history_erase_notes` (which blanks both) or the owner's re-encryption."""

from django.db import migrations

import tenants.fields
from core.postgresql import RunSQLOnPostgreSQL

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION hitl_history_append_only() RETURNS trigger AS $$
BEGIN
    IF to_jsonb(NEW) - 'description' - 'said' - 'actor_id' = to_jsonb(OLD) - 'description' - 'said' - 'actor_id'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND ((NEW.description = OLD.description AND NEW.said = OLD.said)
            OR ((current_setting('walker.hitl_history_rewrite', true) = 'on'
                 OR current_setting('walker.rewriting_encrypted_values', true) = 'on')
                AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')))
    THEN
        RETURN NEW;
    END IF;
    IF to_jsonb(NEW) - 'event_type' = to_jsonb(OLD) - 'event_type'
       AND current_setting('walker.renaming_history_events', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'approval history is append-only (UPDATE refused)';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY_BEFORE = """
CREATE OR REPLACE FUNCTION hitl_history_append_only() RETURNS trigger AS $$
BEGIN
    IF to_jsonb(NEW) - 'description' - 'actor_id' = to_jsonb(OLD) - 'description' - 'actor_id'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.description = OLD.description
            OR ((current_setting('walker.hitl_history_rewrite', true) = 'on'
                 OR current_setting('walker.rewriting_encrypted_values', true) = 'on')
                AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')))
    THEN
        RETURN NEW;
    END IF;
    IF to_jsonb(NEW) - 'event_type' = to_jsonb(OLD) - 'event_type'
       AND current_setting('walker.renaming_history_events', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'approval history is append-only (UPDATE refused)';
END;
$$ LANGUAGE plpgsql;
"""

ERASE_NOTES = """
CREATE OR REPLACE FUNCTION hitl_history_erase_notes(ids uuid[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    erased bigint;
BEGIN
    PERFORM set_config('walker.hitl_history_rewrite', 'on', true);
    UPDATE hitl_hitlapprovalhistory SET description = '', said = ''
        WHERE id = ANY(ids) AND (description <> '' OR said <> '');
    GET DIAGNOSTICS erased = ROW_COUNT;
    PERFORM set_config('walker.hitl_history_rewrite', 'off', true);
    RETURN erased;
END;
$$;
"""

ERASE_NOTES_BEFORE = """
CREATE OR REPLACE FUNCTION hitl_history_erase_notes(ids uuid[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    erased bigint;
BEGIN
    PERFORM set_config('walker.hitl_history_rewrite', 'on', true);
    UPDATE hitl_hitlapprovalhistory SET description = '' WHERE id = ANY(ids) AND description <> '';
    GET DIAGNOSTICS erased = ROW_COUNT;
    PERFORM set_config('walker.hitl_history_rewrite', 'off', true);
    RETURN erased;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("hitl", "0012_standing_approvals"),
    ]

    operations = [
        migrations.AddField(
            model_name="hitlapprovalhistory",
            name="said",
            field=tenants.fields.EncryptedTextField(blank=True, default="", verbose_name="note as kept"),
        ),
        RunSQLOnPostgreSQL([APPEND_ONLY, ERASE_NOTES], reverse_sql=[APPEND_ONLY_BEFORE, ERASE_NOTES_BEFORE]),
    ]
