"""Why a performance rule as written cannot run, field by field, in words a tenant admin can act on."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from adplatforms import money
from adplatforms.models import AdGuardrails
from adplatforms.rules.models import LARGEST_THRESHOLD, MONEY_METRICS, Metric, PerformanceRule, RuleAction, Scope
from agents.models import Campaign
from core import currencies
from core.money import money_exact

# The largest threshold that makes sense for each metric that is not money (money is bounded by LARGEST_THRESHOLD).
HIGHEST = {Metric.ROAS: Decimal("1000"), Metric.CTR: Decimal("100"), Metric.PACING: Decimal("1000")}
LOWEST_PERCENT = Decimal("-90")  # a cut by more than this is a pause, proposed as one


def problems(rule: PerformanceRule) -> dict[str, str]:
    errors: dict[str, str] = {}
    _scope(rule, errors)
    _currency(rule, errors)
    _threshold(rule, errors)
    _money_fields(rule, errors)
    if rule.schedule == "daily" and rule.run_at is None:
        errors["run_at"] = _("A daily rule needs the time it runs at (in the tenant's time zone).")
    _action(rule, errors)
    return errors


def _scope(rule, errors) -> None:
    if rule.scope == Scope.CAMPAIGN:
        campaign = _campaign(rule)
        if campaign is None:
            errors["campaign"] = _("Choose one of this account's campaigns.")
        elif not rule.currency:
            rule.currency = campaign.currency.upper()
        elif rule.currency != campaign.currency.upper():
            errors["currency"] = _("%(campaign)s is counted in %(campaign_currency)s, not %(currency)s.") % {
                "campaign": campaign.name,
                "campaign_currency": campaign.currency.upper(),
                "currency": rule.currency,
            }
    elif rule.campaign_id is not None:
        errors["campaign"] = _("A campaign is named only when the scope is one campaign.")
    if rule.scope == Scope.PLATFORM and not rule.platform:
        errors["platform"] = _("Choose the platform whose campaigns the rule looks at.")


def _campaign(rule) -> Campaign | None:
    """The rule's campaign when it is the tenant's (another tenant's reads as unknown, never as someone else's)."""
    if rule.campaign_id is None or rule.tenant_id is None:
        return None
    return Campaign.objects.filter(pk=rule.campaign_id, tenant_id=rule.tenant_id).first()


def _currency(rule, errors) -> None:
    rule.currency = (rule.currency or "").strip().upper()
    if rule.currency and not currencies.is_code(rule.currency):
        errors["currency"] = _("%(code)s is not a currency code (ISO 4217, e.g. USD, JPY).") % {"code": rule.currency}
    elif not rule.currency and rule.uses_money and "campaign" not in errors:
        errors["currency"] = _("Name the currency the rule's amounts are in (the accounts' currency, e.g. USD).")


def _threshold(rule, errors) -> None:
    threshold = rule.threshold
    if threshold is None:
        return  # the field's own "required"
    highest = HIGHEST.get(rule.metric, LARGEST_THRESHOLD)
    if not Decimal("0") <= threshold <= highest:
        errors["threshold"] = _("The threshold must be from 0 to %(highest)s for this metric.") % {
            "highest": number_format(highest, use_l10n=True, force_grouping=True)
        }
    elif rule.metric == Metric.CONVERSIONS and threshold != threshold.to_integral_value():
        errors["threshold"] = _("Conversions are counted in whole numbers.")
    elif rule.metric in MONEY_METRICS and _holds(rule, errors) and threshold != money.rounded(threshold, rule.currency):
        errors["threshold"] = _not_an_amount(rule.currency)


def _holds(rule, errors) -> bool:
    """Whether the rule's amounts can be checked against its currency (it has a valid one)."""
    return bool(rule.currency) and "currency" not in errors


def _money_fields(rule, errors) -> None:
    if not _holds(rule, errors):
        return
    if rule.min_spend and rule.min_spend != money.rounded(rule.min_spend, rule.currency):
        errors["min_spend"] = _not_an_amount(rule.currency)


def _not_an_amount(currency: str) -> str:
    places = currencies.places(currency)
    if places == 0:
        return _("%(currency)s has no minor unit: write a whole amount.") % {"currency": currency}
    return _("%(currency)s amounts have at most %(places)s digits after the point.") % {
        "currency": currency,
        "places": places,
    }


def _action(rule, errors) -> None:
    value = rule.action_value
    if rule.action in (RuleAction.PAUSE, RuleAction.RESUME, RuleAction.NOTIFY):
        if value is not None:
            errors["action_value"] = _("Only a budget change takes a value.")
        return
    if value is None:
        errors["action_value"] = _("Write the new daily budget, or the change in percent.")
        return
    guardrails = _guardrails(rule)
    if rule.action == RuleAction.SET_BUDGET:
        if value <= 0:
            errors["action_value"] = _("A daily budget must be more than zero.")
        elif not _holds(rule, errors):
            return  # the currency's own error comes first
        elif value != money.rounded(value, rule.currency):
            errors["action_value"] = _not_an_amount(rule.currency)
        elif value < guardrails.min_daily_budget:
            errors["action_value"] = _("The guardrails keep every daily budget at %(amount)s or more.") % {
                "amount": money_exact(guardrails.min_daily_budget, rule.currency)
            }
        return
    if value == 0 or value < LOWEST_PERCENT:
        errors["action_value"] = _("A change in percent is from -90 to the guardrails' largest change, and not 0.")
    elif abs(value) > guardrails.max_change_percent:
        errors["action_value"] = _("The guardrails allow a change of at most %(percent)s%% per action.") % {
            "percent": guardrails.max_change_percent
        }


def _guardrails(rule) -> AdGuardrails:
    """The tenant's guardrails as they stand, or the defaults it would get (nothing is written while validating)."""
    found = AdGuardrails.objects.filter(tenant_id=rule.tenant_id).first() if rule.tenant_id else None
    return found or AdGuardrails()
