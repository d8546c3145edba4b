"""Why Walker will not change a synced campaign on its platform: the connection's state, a budget that is not the
campaign's alone, and the tenant's guardrails. Asked when an agent proposes a change (adplatforms.proposals, from
Walker's synced copy) and again just before it is written (adplatforms.executor, from the live campaign).

Every reason is a sentence for people, in the active language, with money in the campaign's currency.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from adplatforms.models import AdConnection, AdGuardrails, ConnectionState, PlatformCampaign, PlatformChange
from adplatforms.platform import BudgetLevel
from agents.formatting import percent
from core.money import money_exact

PLATFORM_NAMES = {"google": "Google Ads", "meta": "Meta Ads"}
DAY = timedelta(hours=24)


def platform_name(connection: AdConnection) -> str:
    return PLATFORM_NAMES.get(connection.platform, connection.get_platform_display())


def connection_refusal(connection: AdConnection) -> str | None:
    """Why nothing may be changed through `connection` now (disabled, or its authorisation is gone)."""
    if connection.state == ConnectionState.NEEDS_REAUTHORISATION:
        return _("the %(platform)s connection needs re-authorisation: %(detail)s") % {
            "platform": platform_name(connection),
            "detail": connection.state_detail or _("an admin must connect the account again"),
        }
    if connection.state == ConnectionState.DISABLED:
        return _("the %(platform)s connection is disabled; an admin must enable it first") % {
            "platform": platform_name(connection)
        }
    return None


def ad_set_budget(name: str, connection: AdConnection) -> str:
    return _(
        "%(campaign)s has no budget of its own on %(platform)s: its budget lives on its ad sets, which Walker does "
        "not change; change them in %(platform)s"
    ) % {"campaign": name, "platform": platform_name(connection)}


def shared_budget(name: str, connection: AdConnection, sharing: list[str]) -> str:
    """A budget several campaigns spend from: changing it changes all of them, so Walker leaves it to people."""
    return _("the budget is shared by %(campaigns)s; raise it in %(platform)s or give %(campaign)s its own budget") % {
        "campaigns": get_text_list(sharing, _("and")),
        "platform": platform_name(connection),
        "campaign": name,
    }


def names_sharing(link: PlatformCampaign, external_ids=()) -> list[str]:
    """The names of the campaigns on `link`'s budget, this one first: Walker's names for the synced ones (from the
    live list `external_ids` when given, else from the synced links), the platform's id for any other."""
    links = PlatformCampaign.objects.filter(connection_id=link.connection_id).select_related("campaign")
    if external_ids:
        known = {other.external_id: other.campaign.name for other in links.filter(external_id__in=external_ids)}
        names = [known.get(external_id, external_id) for external_id in external_ids]
    else:
        names = [other.campaign.name for other in links.filter(budget_id=link.budget_id)]
    others = sorted(name for name in set(names) if name != link.campaign.name)
    return [link.campaign.name, *others]


def changes_in_last_day(campaign, now) -> list[PlatformChange]:
    return list(
        PlatformChange.objects.filter(
            campaign=campaign, field=PlatformChange.Field.DAILY_BUDGET, at__gt=now - DAY
        ).order_by("at")
    )


def guardrail_refusal(tenant, campaign, *, old: Decimal, new: Decimal, currency: str, now) -> str | None:
    """Why moving `campaign`'s daily budget from `old` to `new` breaks the tenant's guardrails, or None.

    The 24-hour limit adds up how far every change of the last 24 hours moved the budget (each counted, so going up
    and down again counts twice) plus this one, against the budget as it was before the first of them.
    """
    rails = AdGuardrails.for_tenant(tenant)

    def amount(value: Decimal) -> str:
        return money_exact(value, currency)

    if new < rails.min_daily_budget:
        return _("%(campaign)s's daily budget cannot go below %(minimum)s (your ad guardrails)") % {
            "campaign": campaign.name,
            "minimum": amount(rails.min_daily_budget),
        }
    if old <= 0:
        return _("%(campaign)s has no daily budget now; set its first one on the platform by hand") % {
            "campaign": campaign.name
        }
    step = abs(new - old) / old * 100
    if step > rails.max_change_percent:
        return _(
            "moving %(campaign)s's daily budget from %(old)s to %(new)s is a %(step)s change; your ad guardrails "
            "allow at most %(limit)s per change"
        ) % {
            "campaign": campaign.name,
            "old": amount(old),
            "new": amount(new),
            "step": percent(step, "1"),
            "limit": percent(Decimal(rails.max_change_percent), "1"),
        }
    earlier = changes_in_last_day(campaign, now)
    base = Decimal(earlier[0].before) if earlier else old
    moved = sum((abs(Decimal(change.after) - Decimal(change.before)) for change in earlier), Decimal(0))
    total = moved + abs(new - old)
    if base > 0 and total / base * 100 > rails.max_daily_change_percent:
        return _(
            "%(campaign)s's daily budget already moved %(moved)s in the last 24 hours; with this change it would "
            "move %(total)s, %(share)s of the %(base)s it was 24 hours ago, and your ad guardrails allow at most "
            "%(limit)s a day"
        ) % {
            "campaign": campaign.name,
            "moved": amount(moved),
            "total": amount(total),
            "share": percent(total / base * 100, "1"),
            "base": amount(base),
            "limit": percent(Decimal(rails.max_daily_change_percent), "1"),
        }
    return None


def budget_level_refusal(link: PlatformCampaign, *, level: str, shared: bool, sharing=()) -> str | None:
    """Why the campaign's budget is not Walker's to change: it lives on the ad sets, or other campaigns share it."""
    name = link.campaign.name
    if level == BudgetLevel.AD_SET:
        return ad_set_budget(name, link.connection)
    if shared:
        return shared_budget(name, link.connection, names_sharing(link, sharing))
    return None
