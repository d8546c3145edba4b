"""The evaluation gate's recorded figures: the held-out accuracy per language that bench/RESULTS.md records
under GATE_HEADING (a table of language, n, routing %, actions %), which the corpus test may not fall below
by more than ALLOWED_DROP points. A rule change that costs accuracy then fails the suite, not a later bench."""

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "RESULTS.md"
GATE_HEADING = "#### The evaluation gate: held-out figures"
ALLOWED_DROP = 2.0
_ROW = re.compile(
    r"^\|\s*(?P<language>[a-z]{2})\s*\|\s*(?P<n>\d+)\s*\|\s*(?P<routing>[\d.]+)%\s*\|\s*(?P<actions>[\d.]+)%"
)


def recorded(text: str | None = None) -> dict[str, dict[str, float]]:
    """{language: {"n", "routing", "actions"}} from the table under GATE_HEADING in bench/RESULTS.md."""
    text = RESULTS.read_text() if text is None else text
    start = text.index(GATE_HEADING)
    figures = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if match := _ROW.match(line):
            figures[match["language"]] = {key: float(match[key]) for key in ("n", "routing", "actions")}
    return figures


def shortfalls(measured: dict[str, dict[str, float]], floor: dict[str, dict[str, float]]) -> list[str]:
    """Each figure more than ALLOWED_DROP points below the recorded one, in words."""
    return [
        f"{language} {figure}: {measured[language][figure]:.1f}% < {wanted[figure]:.1f}% - {ALLOWED_DROP}"
        for language, wanted in floor.items()
        for figure in ("routing", "actions")
        if measured[language][figure] < wanted[figure] - ALLOWED_DROP
    ]
