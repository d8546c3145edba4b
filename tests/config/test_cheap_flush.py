"""A transactional test's flush (tests/conftest.py: _flush_cheaply) empties what tests wrote, keeps every content
type and permission with its id, never reads them back app by app, and puts the system agents back."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import AIAgent
from tenants.models import Tenant


def test_a_flush_keeps_content_types_and_permissions_and_puts_the_system_agents_back(transactional_db, tenant_admin):
    permissions = set(Permission.objects.values_list("pk", "codename"))
    content_types = set(ContentType.objects.values_list("pk", "model"))
    system_agents = set(AIAgent.objects.values_list("name", flat=True))
    assert len(system_agents) >= 4 and len(permissions) > 100
    with CaptureQueriesContext(connection) as queries:
        call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False)
    assert not Tenant.objects.exists()
    assert set(Permission.objects.values_list("pk", "codename")) == permissions
    assert set(ContentType.objects.values_list("pk", "model")) == content_types
    assert set(AIAgent.objects.values_list("name", flat=True)) == system_agents
    read_back = [query["sql"] for query in queries if '"auth_permission"' in query["sql"]]
    assert read_back == [], read_back[:3]
