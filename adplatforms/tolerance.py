"""How far the sum of Walker's campaign rows of a day may be from the account's own total before the reconciliation
calls it a mismatch: only what Walker's rounding of each campaign's day can account for."""

from adplatforms import money

FIGURES = ("cost", "conversion_value", "conversions", "clicks", "impressions")


def allowance(figure: str, campaign_rows: int, platform: str, currency: str) -> int:
    """Walker keeps each campaign's day rounded (money to cents, conversions whole): up to half a unit per row, and
    the total's own rounding, in the figure's integers. None for one row (rounded the same way as the total), nor
    for impressions and clicks (never rounded)."""
    if campaign_rows <= 1 or figure in ("clicks", "impressions"):
        return 0
    unit = 1 if figure == "conversions" else money.minor_units(platform, currency)
    return (campaign_rows + 1) // 2 * unit


def differing(walker: dict, platform_figures: dict, campaign_rows: int, platform: str, currency: str) -> list[str]:
    """The figures (in FIGURES' order) whose difference is more than rounding explains."""
    return [
        name
        for name in FIGURES
        if abs(platform_figures[name] - walker[name]) > allowance(name, campaign_rows, platform, currency)
    ]


def differing_on(day) -> list[str]:
    """`differing` of a stored AccountReconciliation."""
    return differing(
        {name: getattr(day, f"walker_{name}") for name in FIGURES},
        {name: getattr(day, f"platform_{name}") for name in FIGURES},
        day.campaign_rows,
        day.connection.platform,
        day.currency,
    )
