"""On PostgreSQL the database itself keeps the approval history append-only, as it keeps the access log
(tenants 0004, 0006, 0013). Three changes stay possible, each narrow:

- A row goes only with its approval: a DELETE is checked when the transaction commits, and refused while the
  approval still exists (deleting a tenant deletes its approvals, and their history with them).
- Its actor becomes empty (and nothing else changes) when that person's account is deleted (SET_NULL).
- Its note (`description`) changes only while `walker.hitl_history_rewrite` is on *and* the statement runs as
  the tables' owner: inside `hitl_history_erase_notes(ids)`, a SECURITY DEFINER function that can only blank
  notes (erasure of personal data, `hitl.history.erase_notes`), or in the owner's own maintenance: encrypting or
  re-encrypting the column (tenants.encrypted_columns, in a migration or `rotate_encryption_keys`) sets
  `walker.rewriting_encrypted_values` for its transaction, which counts as the flag. The application's role, not the owner (README,
  `manage.py grant_app_role`), setting the flag itself changes nothing.

TRUNCATE is refused (row triggers do not fire for it). SQLite relies on the model (hitl.models.records).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION hitl_history_append_only() RETURNS trigger AS $$
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
    RAISE EXCEPTION 'approval history is append-only (UPDATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hitl_history_append_only
    BEFORE UPDATE ON hitl_hitlapprovalhistory
    FOR EACH ROW EXECUTE FUNCTION hitl_history_append_only();

CREATE FUNCTION hitl_history_goes_with_its_approval() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM hitl_hitlapproval WHERE id = OLD.approval_id) THEN
        RAISE EXCEPTION 'approval history is append-only (DELETE refused: its approval remains)';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER hitl_history_goes_with_its_approval
    AFTER DELETE ON hitl_hitlapprovalhistory
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hitl_history_goes_with_its_approval();

CREATE FUNCTION hitl_history_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'approval history is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hitl_history_no_truncate
    BEFORE TRUNCATE ON hitl_hitlapprovalhistory
    FOR EACH STATEMENT EXECUTE FUNCTION hitl_history_no_truncate();

CREATE FUNCTION hitl_history_erase_notes(ids uuid[]) RETURNS bigint
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
DROP = """
DROP FUNCTION IF EXISTS hitl_history_erase_notes(uuid[]);
DROP TRIGGER IF EXISTS hitl_history_no_truncate ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_no_truncate();
DROP TRIGGER IF EXISTS hitl_history_goes_with_its_approval ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_goes_with_its_approval();
DROP TRIGGER IF EXISTS hitl_history_append_only ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_append_only();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation

    return apply


class Migration(migrations.Migration):
    dependencies = [("hitl", "0017_one_waiting_request_per_target")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
