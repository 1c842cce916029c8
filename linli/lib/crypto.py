"""Encrypted model fields and keyed hashes for private values (phone, ID number).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under the keys in settings, and a
keyed HMAC-SHA256 of the normalised value is stored beside them so a record can be found by
phone or ID number without decrypting the table. See docs/decisions/0002-private-fields.md.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("private field cannot be decrypted with the configured keys") from exc


def keyed_hash(value: str) -> str:
    if not value:
        return ""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """Holds plaintext in Python, ciphertext in the database. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)
