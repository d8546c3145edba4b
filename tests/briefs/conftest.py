from tests.hitl.conftest import ask, campaign, paid_ads, workflow  # noqa: F401  (the approval fixtures)
