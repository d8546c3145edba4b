from tests.hitl.conftest import ask, campaign, other_campaign, paid_ads, workflow  # noqa: F401  (the approval fixtures)
