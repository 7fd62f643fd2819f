"""Personal data at rest: authenticated encryption, a keyed hash for exact lookup, and masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(b"kefu-field-encryption:" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _hash_key(key_material: str) -> bytes:
    return hashlib.sha256(b"kefu-field-lookup:" + key_material.encode()).digest()


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be read with the configured KEFU_FIELD_KEY") from exc


def normalize_identifier(value: str) -> str:
    """Canonical form for lookup: a Chinese phone number in its national form without the trunk 0
    (so 021-62345678 and +86 21 6234 5678 hash alike); anything else without spaces or dashes, upper-cased."""
    compact = re.sub(r"[\s\-()]", "", value).upper()
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and number.country_code == 86 and phonenumbers.is_valid_number(number):
        return str(number.national_number)
    return compact.removeprefix("+86").removeprefix("0086")


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised identifier; equal inputs give equal hashes, nothing else is revealed."""
    if not value:
        return ""
    return hmac.new(
        _hash_key(settings.FIELD_ENCRYPTION_KEY), normalize_identifier(value).encode(), hashlib.sha256
    ).hexdigest()


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; the last four digits for anything else."""
    if not value:
        return ""
    digits = re.sub(r"[\s\-()]", "", value).removeprefix("+86").removeprefix("0086")
    if len(digits) == 11 and digits.isdigit() and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_number(value: str) -> str:
    """110101********1234: region code and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
