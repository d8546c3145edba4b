"""Give the role the application runs as what it needs, and no more (see README, "Running in production").

Run it as the role that owns the tables (the one that runs `migrate`). The application's
role can then read and write rows but not own tables, so it cannot drop or disable the
triggers that keep the access log append-only, and it is not granted UPDATE, DELETE or
TRUNCATE on that log at all.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from tenants.models import AccessLog

TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


class Command(BaseCommand):
    help = "Grant a non-owner PostgreSQL role the rights Walker needs to run (not to migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="an existing role, neither a superuser nor the tables' owner")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Roles and grants exist on PostgreSQL only.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"No role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD '...').")
            if row[0]:
                raise CommandError(f"{role} is a superuser: it could disable any trigger. Use an ordinary role.")
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            if owner == role:
                raise CommandError(f"{role} owns the tables; run the application as another role.")
            for statement in self.statements(role, owner):
                cursor.execute(statement.as_string(cursor.connection))
        self.stdout.write(self.style.SUCCESS(f"{role} may now run Walker; {AccessLog._meta.db_table} is append-only."))

    @staticmethod
    def statements(role: str, owner: str) -> list[sql.Composed]:
        who, log = sql.Identifier(role), sql.Identifier(AccessLog._meta.db_table)
        rights = sql.SQL(TABLE_RIGHTS)
        later = sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public ").format(sql.Identifier(owner))
        return [
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
            sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA public TO {}").format(rights, who),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(log, who),
            # Tables and sequences that later migrations create get the same rights.
            later + sql.SQL("GRANT {} ON TABLES TO {}").format(rights, who),
            later + sql.SQL("GRANT USAGE, SELECT ON SEQUENCES TO {}").format(who),
        ]
