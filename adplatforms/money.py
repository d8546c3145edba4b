"""Money as the ad platforms write it, converted once, at the edge, to `Decimal` in the account's currency.

Google Ads writes every amount in micros (millionths of the currency's unit, whatever the currency).
Meta writes budgets in the currency's minor unit with Meta's own offset per currency: 100 for most
(cents), 1 for the currencies without minor units (JPY, KRW, …). Insights figures (spend, values) come
as decimal strings in the currency's unit on both platforms. No float is ever involved: JSON is read with
`parse_float=Decimal` by the clients.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from core.currencies import places

MICROS = 1_000_000

# Meta's "currency offset": the currencies Meta bills without a minor unit
# (developers.facebook.com/docs/marketing-api/currencies). Every other currency has an offset of 100.
META_OFFSET_ONE = frozenset({"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"})


class MoneyError(ValueError):
    """An amount the account's currency cannot hold, or units that are not whole."""


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-places(currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded (half to even, as the platforms bill) to what `currency` can hold."""
    return Decimal(amount).quantize(quantum(currency), ROUND_HALF_EVEN)


def meta_offset(currency: str) -> int:
    return 1 if currency.upper() in META_OFFSET_ONE else 100


def from_micros(micros: int, currency: str) -> Decimal:
    """Google's micros as an amount of `currency` (e.g. 5_000_000_000 micros of JPY is ¥5,000)."""
    return rounded(Decimal(_whole(micros)) / MICROS, currency)


def to_micros(amount: Decimal, currency: str) -> int:
    """An amount of `currency` in Google's micros; refused when the currency cannot hold it exactly."""
    return int(_exact(amount, currency) * MICROS)


def from_meta_units(units: int, currency: str) -> Decimal:
    """Meta's budget units as an amount of `currency` (JPY 5000 is ¥5,000; USD 70000 is $700.00)."""
    return rounded(Decimal(_whole(units)) / meta_offset(currency), currency)


def to_meta_units(amount: Decimal, currency: str) -> int:
    """An amount of `currency` in Meta's budget units; refused when Meta cannot hold it exactly (Meta takes
    whole Colombian pesos, say, though ISO 4217 gives the peso cents)."""
    units = _exact(amount, currency) * meta_offset(currency)
    if units != units.to_integral_value():
        raise MoneyError(f"{amount} {currency} is not an amount Meta can hold (whole units only)")
    return int(units)


def platform_scale(platform: str, currency: str) -> int:
    """The platform's integer units in one unit of `currency`: Google micros, Meta's offset."""
    return MICROS if platform == "google" else meta_offset(currency)


def to_platform_units(amount: Decimal, platform: str, currency: str) -> int:
    """A figure read (spend, conversion value) in the platform's integer units, rounded half to even (a fraction
    of Meta's yen, say): what reconciliations store and compare."""
    return int((Decimal(amount) * platform_scale(platform, currency)).quantize(Decimal(1), ROUND_HALF_EVEN))


def from_platform_units(units: int, platform: str, currency: str) -> Decimal:
    """The platform's integer units of a read figure as an amount of `currency`, for people to read."""
    return Decimal(units) / platform_scale(platform, currency)


def minor_units(platform: str, currency: str) -> int:
    """The platform's units in the currency's smallest unit (a cent, a yen): at least 1."""
    return max(1, platform_scale(platform, currency) // 10 ** places(currency))


def _whole(units) -> int:
    if isinstance(units, bool) or not isinstance(units, int | str | Decimal):
        raise MoneyError(f"platform amounts are whole numbers, not {type(units).__name__}")
    value = Decimal(units)
    if value != value.to_integral_value():
        raise MoneyError(f"platform amounts are whole numbers, not {units}")
    return int(value)


def _exact(amount: Decimal, currency: str) -> Decimal:
    if not isinstance(amount, Decimal):
        raise MoneyError(f"amounts are Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount != rounded(amount, currency):
        raise MoneyError(f"{amount} {currency} is not an amount {currency} can hold")
    return amount
