"""What Walker knows of ISO 4217 currencies: how many digits follow the point, and the sign people read.

Kept small on purpose (no Babel): the currencies the ad platforms bill in that have a sign of their own; any
other currency is written with its code ("CHF 12.50").
"""

from decimal import Decimal

# The ISO 4217 codes of money in circulation (funds codes such as USN included; metals, units of account and
# test codes left out): what an amount may be counted in.
CODES = frozenset(
    {
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD",
        "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP",
        "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
        "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
        "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK",
        "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
        "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR",
        "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS",
        "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH",
        "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF",
        "XPF", "YER", "ZAR", "ZMW", "ZWG",
    }
)  # fmt: skip

# ISO 4217 currencies without a minor unit, and those with three digits after the point.
ZERO_DECIMAL = frozenset({"CLP", "ISK", "JPY", "KRW", "PYG", "VND", "UGX", "XAF", "XOF", "RWF", "BIF", "DJF", "GNF"})
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})

# The sign written before an amount in English; USD's "$" is written through its own translated pattern.
SIGNS = {
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "VND": "₫",
    "NGN": "₦",
    "PHP": "₱",
    "THB": "฿",
    "TRY": "₺",
    "UAH": "₴",
    "BRL": "R$",
    "AUD": "A$",
    "CAD": "CA$",
    "MXN": "MX$",
    "NZD": "NZ$",
    "HKD": "HK$",
}


def of_action(data) -> str:
    """The currency of a proposed action's amounts (its estimated cost, its budgets): the campaign's, recorded as
    `currency` in the action's data; US dollars when it names none (proposals made before it was recorded)."""
    code = data.get("currency") if isinstance(data, dict) else None
    return code.upper() if isinstance(code, str) and len(code) == 3 and code.isalpha() else "USD"


def is_code(value) -> bool:
    """Whether `value` is an ISO 4217 code of money in circulation, written in capitals ("EUR")."""
    return isinstance(value, str) and value in CODES


def places(currency: str) -> int:
    """Digits after the point in `currency`'s amounts (ISO 4217); 2 for any code not listed."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def sign(currency: str) -> str | None:
    """The currency's own sign, or None when it is written with its code."""
    return SIGNS.get(currency.upper())


def in_dollars(amount, currency: str, rates: dict) -> Decimal | None:
    """`amount` of `currency` in US dollars through `rates` (dollars per unit, e.g. settings.RISK_DOLLAR_RATES);
    None when the table has no rate for it."""
    rate = rates.get(currency.upper())
    return None if rate is None else Decimal(amount) * rate
