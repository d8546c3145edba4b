"""The ratings on the conversation metrics page: how many conversations got each score (1 to 5) by channel, by
agent and by the person who resolved them, as stacked bars. A channel's bar opens the rows it counts."""

from django.db.models import Count, Q
from django.utils.translation import gettext

from agents.actions import agent_name
from conversations.models import Channel
from reports.aggregates import grouped
from reports.charts import BLUE, GREEN, ORANGE, RED, YELLOW, Chart, Dataset
from reports.queries import CONVERSATION_GROUPS, SCORES, name_holders

SCORE_COLOURS = dict(zip(SCORES, (RED, ORANGE, YELLOW, BLUE, GREEN), strict=True))


def satisfaction_charts(rows, link) -> list[tuple[str, Chart]]:
    """`rows`: the list's filtered metrics; `link(**filters)`: the list's URL with its filters and these."""
    rated = rows.filter(user_satisfaction_score__isnull=False)
    holders = _groups(rated, "holder")
    name_holders(holders)  # "" where the agents' answer closed it
    return [
        (gettext("Ratings by channel"), _chart(_groups(rated, "channel"), _channel, link, "channel__exact")),
        (gettext("Ratings by agent"), _chart(_groups(rated, "agent"), _agent)),
        (gettext("Ratings by who resolved it"), _chart(holders, None, names=True)),
    ]


def _groups(rows, by: str) -> list[dict]:
    counts = {f"score_{score}": Count("pk", filter=Q(user_satisfaction_score=score)) for score in SCORES}
    return grouped(rows, CONVERSATION_GROUPS[by], counts)


def _chart(groups, label, link=None, filter_name="", *, names=False) -> Chart:
    """Each group a bar of five parts (its counts of each score); `names`: the groups carry their own (holders)."""
    labels = [(group["name"] or gettext("Agents")) if names else label(group["key"]) for group in groups]
    datasets = [
        Dataset(
            str(score),
            [group[f"score_{score}"] for group in groups],
            SCORE_COLOURS[score],
            [link(**{filter_name: group["key"], "user_satisfaction_score": score}) for group in groups] if link else [],
        )
        for score in SCORES
    ]
    return Chart("bar", labels, datasets, stacked=True, horizontal=True, unit=gettext("conversations"))


def _channel(key) -> str:
    return str(Channel(key).label) if key in Channel.values else key


def _agent(key) -> str:
    return agent_name(key) if key else gettext("No agent")
