"""Personal data at rest: Fernet encryption (key rotation by MultiFernet) and keyed lookup hashes."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("ONEVISIT_DATA_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(value: str) -> str:
    return _fernet(tuple(settings.ONEVISIT_DATA_KEYS)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(tuple(settings.ONEVISIT_DATA_KEYS)).decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """A keyed hash that finds a record by its ID number without storing the number in clear."""
    key = settings.ONEVISIT_LOOKUP_KEY.encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """110105********1234 style masking for screens."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
