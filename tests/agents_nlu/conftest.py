"""The corpus's world, built once per test for the test tenant, at the world's clock."""

import pytest
import time_machine

from tests.agents_nlu import world


@pytest.fixture
def nlu_world(tenant, tenant_admin):
    world.build(tenant)
    with time_machine.travel(world.now(), tick=False):
        yield tenant_admin
