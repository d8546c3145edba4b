"""On PostgreSQL, only `tenants_accesslog_purge()` may delete access records, not a session that sets its flag.

The append-only trigger used to let a DELETE through whenever `walker.accesslog_purge` was on, and any
session may set a setting of that name: a role holding DELETE on the log could empty it. The trigger now
also asks that the statement run as the purge function's owner, which only that function (SECURITY
DEFINER) does for the application's role. The owner itself could drop the trigger anyway; it is the role
that runs `migrate`, not the application's (README, `manage.py grant_app_role`).

Both functions name their tables with their schema and search the caller's temporary schema last, so a
caller's temporary table cannot stand in for the tenants' retention periods or the owner lookup.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tenants_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('walker.accesslog_purge', true) = 'on'
       AND current_user = (SELECT pg_get_userbyid(proowner) FROM pg_proc
                            WHERE oid = 'public.tenants_accesslog_purge(integer)'::regprocedure) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$;

CREATE OR REPLACE FUNCTION tenants_accesslog_purge(default_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('walker.accesslog_purge', 'on', true);
    DELETE FROM public.tenants_accesslog AS log
     WHERE log.created_at < now() - make_interval(days => GREATEST(
             COALESCE((SELECT t.access_log_retention_days FROM public.tenants_tenant AS t WHERE t.id = log.tenant_id),
                      default_days),
             90));
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('walker.accesslog_purge', 'off', true);
    RETURN removed;
END;
$$;
"""
RESTORE = """
CREATE OR REPLACE FUNCTION tenants_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('walker.accesslog_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION tenants_accesslog_purge(default_days integer) RETURNS bigint
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


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has a literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("tenants", "0019_translatable_labels")]

    operations = [migrations.RunPython(_run(CREATE), _run(RESTORE))]
