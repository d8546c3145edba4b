from decimal import Decimal

import pytest

from tests.factories import CampaignFactory


@pytest.fixture
def summer_sale(tenant):
    return CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
