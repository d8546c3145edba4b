"""Server-rendered SVG charts for the admin dashboard: no JavaScript, nothing loaded from elsewhere.

The markup is inline SVG (no namespace declaration needed inside HTML) and well-formed XML.
Text and grid lines use `currentColor`, so they follow unfold's light and dark text colours;
series use mid-tone colours that stay readable on both backgrounds. Every piece of text is escaped.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: list[int]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str
    href: str | None = None
    detail: str = ""  # shown after the value, e.g. "2 pending"


def nice_ticks(top: int, steps: int = 4) -> list[int]:
    """Gridline values from 0 to at least `top`, a round step apart (1, 2, 5, 10, 20, 50, ...)."""
    step = 1
    while step * steps < top:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, step * max(-(-top // step), 1) + 1, step))


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def stacked_bars(labels: list[str], series: list[Series], *, title: str, summary: str = "") -> SafeString:
    """One stacked column per label (e.g. per day), one colour per series, a legend above."""
    width, height = 720, 260
    left, right, top, bottom = 40, width - 8, 40, height - 28
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    ticks = nice_ticks(max(totals, default=0))
    scale = (bottom - top) / ticks[-1]
    slot = (right - left) / max(len(labels), 1)
    bar = slot * 0.62

    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        'font-size="12" fill="currentColor">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(summary)}</desc>" if summary else "",
    ]
    x = left
    for s in series:  # legend
        parts.append(f'<rect x="{_num(x)}" y="8" width="10" height="10" rx="2" fill="{escape(s.colour)}"/>')
        parts.append(f'<text x="{_num(x + 15)}" y="17">{escape(s.name)}</text>')
        x += 15 + 7 * len(s.name) + 18
    for tick in ticks:  # grid
        y = bottom - tick * scale
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}" stroke="currentColor" '
            f'stroke-opacity="{0.25 if tick == 0 else 0.1}"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{_num(y + 4)}" text-anchor="end" fill-opacity="0.7">{tick}</text>')
    for i, label in enumerate(labels):  # columns
        x = left + i * slot + (slot - bar) / 2
        y = bottom
        for s in series:
            value = s.values[i]
            if not value:
                continue
            h = value * scale
            y -= h
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" height="{_num(h)}" rx="2" '
                f'fill="{escape(s.colour)}"><title>{escape(label)} · {escape(s.name)}: {value}</title></rect>'
            )
        parts.append(
            f'<text x="{_num(x + bar / 2)}" y="{bottom + 18}" text-anchor="middle" fill-opacity="0.7">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_list(bars: list[Bar], *, title: str) -> SafeString:
    """Horizontal bars, one row each: label on the left, bar, then the value; a row may link somewhere."""
    width, row = 480, 34
    label_w, value_w = 150, 90
    track = width - label_w - value_w
    height = row * max(len(bars), 1)
    peak = max((b.value for b in bars), default=0) or 1

    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        'font-size="13" fill="currentColor">',
        f"<title>{escape(title)}</title>",
    ]
    for i, b in enumerate(bars):
        y = i * row
        name = b.label if len(b.label) <= 20 else b.label[:19] + "…"
        fill = b.value / peak * track
        value = f"{b.value}" + (f" · {b.detail}" if b.detail else "")
        row_parts = [
            f"<title>{escape(b.label)}: {escape(value)}</title>",
            f'<text x="0" y="{y + 21}">{escape(name)}</text>',
            f'<rect x="{label_w}" y="{y + 9}" width="{track}" height="16" rx="4" fill="currentColor" '
            'fill-opacity="0.08"/>',
            f'<rect x="{label_w}" y="{y + 9}" width="{_num(fill)}" height="16" rx="4" fill="{escape(b.colour)}"/>'
            if b.value
            else "",
            f'<text x="{width}" y="{y + 21}" text-anchor="end" font-weight="600">{escape(value)}</text>',
        ]
        inner = "".join(row_parts)
        parts.append(f'<a href="{escape(b.href)}">{inner}</a>' if b.href else f"<g>{inner}</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))
