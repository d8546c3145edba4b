"""The GAQL Walker sends to Google Ads: every field it reads, in one place, so an API upgrade is checked here
(and by the fake in adplatforms/simulator/google.py, which refuses fields it does not know)."""

from datetime import date, datetime

from adplatforms import errors

ACCOUNT = "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone FROM customer"

# Every campaign with its budget. Sharing is worked out from this one listing (campaigns on the same budget
# resource), so no second query is needed for the sync; one campaign read live asks for its budget's other
# campaigns with CAMPAIGNS_ON_BUDGET.
_CAMPAIGN_FIELDS = (
    "campaign.id, campaign.name, campaign.status, campaign.serving_status, campaign.primary_status, "
    "campaign_budget.id, campaign_budget.resource_name, campaign_budget.amount_micros, campaign_budget.period, "
    "campaign_budget.explicitly_shared, campaign_budget.reference_count"
)
CAMPAIGNS = f"SELECT {_CAMPAIGN_FIELDS} FROM campaign ORDER BY campaign.id"


def campaign(external_id: str) -> str:
    return f"SELECT {_CAMPAIGN_FIELDS} FROM campaign WHERE campaign.id = {digits(external_id)}"


def campaigns_on_budget(budget_resource_name: str) -> str:
    return (
        "SELECT campaign.id, campaign.status FROM campaign "
        f"WHERE campaign.campaign_budget = '{_quoted(budget_resource_name)}'"
    )


def campaign_days(first: date, last: date) -> str:
    return (
        "SELECT campaign.id, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, "
        "metrics.conversions, metrics.conversions_value FROM campaign "
        f"WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    )


def account_days(first: date, last: date) -> str:
    return (
        "SELECT segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, "
        "metrics.conversions_value FROM customer "
        f"WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    )


# Campaign statuses and budget amounts changed, from the account's change history (`change_event`). Google asks for a
# change_date_time window within the past 30 days and a LIMIT of at most 10,000; its times are in the account's zone.
CHANGE_LIMIT = 10_000
_CHANGE_FIELDS = (
    "change_event.resource_name, change_event.change_date_time, change_event.change_resource_type, "
    "change_event.change_resource_name, change_event.resource_change_operation, change_event.changed_fields, "
    "change_event.old_resource, change_event.new_resource, change_event.client_type, change_event.user_email, "
    "change_event.campaign"
)


def change_events(first: datetime, last: datetime, limit: int = CHANGE_LIMIT) -> str:
    """`first` and `last` are wall-clock times of the account's zone (naive)."""
    return (
        f"SELECT {_CHANGE_FIELDS} FROM change_event "
        f"WHERE change_event.change_date_time >= '{first:%Y-%m-%d %H:%M:%S}' "
        f"AND change_event.change_date_time <= '{last:%Y-%m-%d %H:%M:%S}' "
        "AND change_event.change_resource_type IN ('CAMPAIGN', 'CAMPAIGN_BUDGET') "
        f"ORDER BY change_event.change_date_time LIMIT {limit}"
    )


def digits(value: str) -> str:
    """`value` checked to be a Google Ads id (digits only) before it goes into a query or a resource name."""
    if not str(value).isdigit():
        raise errors.InvalidRequest(f"“{value}” is not a Google Ads id (digits only)", code="INVALID_ID")
    return str(value)


def _quoted(value: str) -> str:
    if "'" in value or "\\" in value:
        raise errors.InvalidRequest(f"“{value}” is not a Google Ads resource name", code="INVALID_ID")
    return value
