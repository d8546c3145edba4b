"""On PostgreSQL, TRUNCATE of the access log is refused too: row triggers do not fire for it.

Only a superuser can step around the trigger (session_replication_role=replica, or
dropping it as the owner); run the application as a non-owner role (README,
`manage.py grant_app_role`) so it can do neither.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION tenants_accesslog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access records are append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tenants_accesslog_no_truncate
    BEFORE TRUNCATE ON tenants_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_accesslog_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS tenants_accesslog_no_truncate ON tenants_accesslog;
DROP FUNCTION IF EXISTS tenants_accesslog_no_truncate();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_outbound_urls_checked")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
