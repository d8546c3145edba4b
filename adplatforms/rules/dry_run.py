"""A rule replayed over the last N days before it is saved: each day judged as that day's run would judge it, by the
same evaluation (adplatforms.rules.evaluation) the real run reads, with the rule's cool-down and cap per run.

A run judges the whole days through yesterday, which change once a day, so one judgement a day is what an hourly
rule would find too; the campaigns' statuses and budgets are today's."""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adplatforms.rules import describe
from adplatforms.rules.evaluation import evaluate, last_complete_day
from adplatforms.rules.models import PerformanceRule

LONGEST = 90  # days a dry run may replay


@dataclass(frozen=True)
class Firing:
    day: date  # the last whole day of figures: the run of the next day would have fired
    campaign: str
    figures: str

    def __str__(self):
        return _("%(day)s, %(campaign)s: %(figures)s") % {
            "day": date_format(self.day, "j M"),
            "campaign": self.campaign,
            "figures": self.figures,
        }


@dataclass(frozen=True)
class DryRun:
    days: int
    firings: list[Firing]

    @property
    def headline(self) -> str:
        if not self.firings:
            return ngettext(
                "Would not have fired over the last %(days)s day.",
                "Would not have fired over the last %(days)s days.",
                self.days,
            ) % {"days": self.days}
        return ngettext(
            "Would have fired %(count)s time over the last %(days)s days:",
            "Would have fired %(count)s times over the last %(days)s days:",
            len(self.firings),
        ) % {"count": len(self.firings), "days": self.days}


def replay(rule: PerformanceRule, days: int, now=None) -> DryRun:
    """What `rule` (saved or not) would have fired for over the `days` whole days through yesterday."""
    last = last_complete_day(rule.tenant, now)
    cooldown_days = ceil(rule.cooldown_hours / 24)
    cooling_until: dict = {}  # campaign id -> the first day it may fire again
    firings = []
    for back in range(days - 1, -1, -1):
        day = last - timedelta(days=back)
        fired = 0
        for hit in evaluate(rule, day):
            if cooling_until.get(hit.campaign.pk, day) > day or fired >= rule.max_per_run:
                continue
            firings.append(Firing(day, hit.campaign.name, describe.figures(rule, hit)))
            cooling_until[hit.campaign.pk] = day + timedelta(days=cooldown_days)
            fired += 1
    return DryRun(days, firings)
