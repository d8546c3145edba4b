"""A migration operation for what only PostgreSQL holds: the append-only triggers and the functions around them
(tenants and hitl migrations). SQLite relies on the models for the same rules."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """`RunSQL` on PostgreSQL, nothing on another database (and nothing in its `sqlmigrate`).

    Give the statements as a list: each item is sent as written, with no parameters, so a function's body may hold
    a literal % and several statements (a function and its trigger) may share one item."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Raw SQL operation (PostgreSQL only)"
