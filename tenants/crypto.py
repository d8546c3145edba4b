"""Encryption at rest: one key ring for every encrypted value, and keyed hashes for lookups.

Keys come from the environment (`ENCRYPTION_KEYS`, comma-separated Fernet keys, newest first): values
are encrypted with the first and decrypted with any, so a key is rotated by putting a new one in front
and re-encrypting (`manage.py rotate_encryption_keys`) before the old one is removed. Lookups of an
encrypted value (a sender's phone or email) go through `keyed_hash`, an HMAC under `PII_HASH_KEY`,
which never changes with rotation.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value no configured key opens (a key was removed before its values were rotated)."""


@cache
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as err:
        raise ImproperlyConfigured(f"ENCRYPTION_KEYS holds a key that is not a Fernet key: {err}") from None


def key_ring() -> MultiFernet:
    if not settings.ENCRYPTION_KEYS:
        raise ImproperlyConfigured("ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    return _ring(tuple(settings.ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return key_ring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return key_ring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("No configured encryption key opens this value.") from None


def rotate(token: str) -> str:
    """The same value, encrypted under the newest key (unchanged if it already is)."""
    try:
        return key_ring().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("No configured encryption key opens this value.") from None


def is_current(token: str) -> bool:
    """Whether the newest key opens `token` (so rotation can skip it)."""
    try:
        Fernet(settings.ENCRYPTION_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def keyed_hash(value: str) -> str:
    """A stable, keyed digest of a normalised value, for equality lookups of encrypted data."""
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
