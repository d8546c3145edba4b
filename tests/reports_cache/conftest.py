import pytest

from tenants.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def compliance(tenant):
    return UserFactory(tenant=tenant, role=Role.COMPLIANCE, email="compliance@acme.test")
