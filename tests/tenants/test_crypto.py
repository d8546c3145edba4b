import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from tenants import crypto


def test_a_value_round_trips_and_its_ciphertext_holds_no_plaintext():
    token = crypto.encrypt("+14155550199")
    assert "4155550199" not in token
    assert crypto.decrypt(token) == "+14155550199"


def test_rotation_re_encrypts_under_the_newest_key_and_old_values_still_open(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("jane.doe@example.com")
    settings.ENCRYPTION_KEYS = [new, old]
    assert not crypto.is_current(token)
    assert crypto.decrypt(token) == "jane.doe@example.com"
    rotated = crypto.rotate(token)
    assert crypto.is_current(rotated)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "jane.doe@example.com"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_a_key_that_is_not_a_fernet_key_fails_loudly(settings):
    settings.ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS"):
        crypto.encrypt("x")


def test_keyed_hashes_are_stable_and_depend_on_the_key(settings):
    first = crypto.keyed_hash("+14155550199")
    assert first == crypto.keyed_hash("+14155550199") != crypto.keyed_hash("+14155550198")
    settings.PII_HASH_KEY = "another"
    assert crypto.keyed_hash("+14155550199") != first
