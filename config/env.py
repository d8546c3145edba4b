"""Typed readers for environment variables.

Every helper fails loudly with ImproperlyConfigured naming the variable, so a
typo in a deployment stops the process at start instead of misbehaving later.
"""

import math
import os
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise ImproperlyConfigured(f"{name} must be a finite number of at least {minimum}, got {raw!r}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {raw!r}")
    return value


_SIZE = re.compile(r"(\d+)([kmg]?)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def env_bytes(name: str, default: int, *, minimum: int | None = None) -> int:
    """A size in bytes: a whole number, optionally with k, m or g (binary units, as nginx reads `32m`)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    match = _SIZE.fullmatch(raw.strip())
    if match is None:
        raise ImproperlyConfigured(f"{name} must be a size in bytes, optionally with k, m or g (e.g. 32m), got {raw!r}")
    value = int(match[1]) * _SIZE_UNITS[match[2].lower()]
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} bytes, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rates(name: str, default: dict[str, Decimal]) -> dict[str, Decimal]:
    """Currency rates as `CODE=rate` pairs, comma-separated ("JPY=0.0065,EUR=1.08"): each replaces or adds to the
    default's; every rate a positive decimal."""
    raw = os.environ.get(name)
    rates = dict(default)
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        code, _, rate = item.partition("=")
        code = code.strip().upper()
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = None
        if not re.fullmatch(r"[A-Z]{3}", code) or value is None or not value.is_finite() or value <= 0:
            raise ImproperlyConfigured(f"{name} must be CODE=rate pairs such as JPY=0.0065, got {item.strip()!r}")
        rates[code] = value
    return rates


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def require(names: list[str], reason: str) -> None:
    """Fail at start if any of `names` is unset or blank, naming every missing one."""
    missing = [name for name in names if not env_str(name)]
    if missing:
        raise ImproperlyConfigured(
            f"Missing required environment variable{'s' if len(missing) > 1 else ''} {', '.join(missing)} ({reason})"
        )
