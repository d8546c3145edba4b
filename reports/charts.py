"""Chart.js configurations for unfold's chart components (unfold ships Chart.js), with drill-down links.

A chart is the `data` and `options` unfold's `chart/bar.html` and `chart/line.html` take, plus
one link per bar or point (by dataset, then index) that static/admin/walker-charts.js opens
on click. Labels, tooltips and links are data, never markup: Chart.js draws text on a canvas.
"""

import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder

# Tailwind's 500 shades: readable on unfold's white cards and on its dark ones.
GREEN, BLUE, VIOLET, AMBER, YELLOW, ORANGE, RED, INDIGO, GREY = (
    "#22c55e", "#3b82f6", "#8b5cf6", "#f59e0b", "#eab308", "#f97316", "#ef4444", "#6366f1", "#9ca3af",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    label: str
    values: list
    colour: str
    links: list = field(default_factory=list)  # one URL (or None) per value


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    labels: list[str]
    datasets: list[Dataset]
    stacked: bool = False
    horizontal: bool = False
    unit: str = ""

    @property
    def total(self) -> float:
        return sum(v or 0 for d in self.datasets for v in d.values)

    @property
    def empty(self) -> bool:
        """Nothing to draw: no bar above zero, or no point at all on a line."""
        if self.kind == "line":
            return all(v is None for d in self.datasets for v in d.values)
        return not self.total

    @property
    def data(self) -> str:
        data = {"labels": self.labels, "datasets": [self._dataset(d) for d in self.datasets]}
        return json.dumps(data, cls=DjangoJSONEncoder)  # labels may be translatable (lazy) strings

    @property
    def options(self) -> str:
        value_axis = {"beginAtZero": True, "stacked": self.stacked, "ticks": {"precision": 0}}
        if self.unit:
            value_axis["title"] = {"display": True, "text": self.unit}
        label_axis = {"stacked": self.stacked, "grid": {"display": False}}
        return json.dumps(
            {
                "responsive": True,
                "maintainAspectRatio": False,
                "animation": False,
                "indexAxis": "y" if self.horizontal else "x",
                "interaction": {"mode": "nearest", "intersect": True},
                "plugins": {
                    "legend": {"display": len(self.datasets) > 1, "position": "bottom"},
                    "tooltip": {"enabled": True},
                },
                "scales": {"x": value_axis, "y": label_axis} if self.horizontal else {"x": label_axis, "y": value_axis},
            },
            cls=DjangoJSONEncoder,
        )

    @property
    def links(self) -> str:
        return json.dumps([d.links for d in self.datasets])

    def _dataset(self, d: Dataset) -> dict:
        shape = {"borderRadius": 4, "maxBarThickness": 36} if self.kind == "bar" else {"tension": 0.3, "pointRadius": 4}
        return {"label": d.label, "data": d.values, "backgroundColor": d.colour, "borderColor": d.colour, **shape}
