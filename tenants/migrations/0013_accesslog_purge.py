"""On PostgreSQL, access records are removed only by retention, never by the application's own statements.

The append-only trigger now lets a DELETE through only while `tenants_accesslog_purge()` runs. That
function is SECURITY DEFINER (it runs as the tables' owner, so the application's role, which holds no
DELETE on the log, can call it), and it removes only records older than their tenant's
access_log_retention_days, never younger than 90 days whatever a tenant sets.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tenants_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('walker.accesslog_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION tenants_accesslog_purge(default_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('walker.accesslog_purge', 'on', true);
    DELETE FROM tenants_accesslog AS log
     WHERE log.created_at < now() - make_interval(days => GREATEST(
             COALESCE((SELECT t.access_log_retention_days FROM tenants_tenant AS t WHERE t.id = log.tenant_id),
                      default_days),
             90));
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('walker.accesslog_purge', 'off', true);
    RETURN removed;
END;
$$;
"""
DROP = """
DROP FUNCTION IF EXISTS tenants_accesslog_purge(integer);
CREATE OR REPLACE FUNCTION tenants_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has a literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("tenants", "0012_retention_periods")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
