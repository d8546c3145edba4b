"""On PostgreSQL, the database itself refuses to update or delete access records (SQLite relies on the model)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION tenants_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tenants_accesslog_append_only
    BEFORE UPDATE OR DELETE ON tenants_accesslog
    FOR EACH ROW EXECUTE FUNCTION tenants_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS tenants_accesslog_append_only ON tenants_accesslog;
DROP FUNCTION IF EXISTS tenants_accesslog_append_only();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no interpolation: the SQL has a literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("tenants", "0003_accesslog")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
