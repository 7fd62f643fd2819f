"""Validators for Chinese phone numbers, built on phonenumbers."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CN_COUNTRY_CODE = 86


def _parse_cn(value: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("%(value)s is not a phone number."), params={"value": value}) from exc


def validate_cn_mobile(value: str) -> None:
    number = _parse_cn(value)
    if (
        number.country_code != _CN_COUNTRY_CODE
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(
            _("%(value)s is not a valid mobile number (11 digits, e.g. 13812345678)."),
            params={"value": value},
        )


def validate_cn_phone(value: str) -> None:
    if not phonenumbers.is_valid_number(_parse_cn(value)):
        raise ValidationError(_("%(value)s is not a valid phone number (e.g. 021-62345678)."), params={"value": value})


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_cn_id_number(value: str) -> None:
    """An 18-character resident ID with a correct check character (GB 11643)."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        raise ValidationError(_("A resident ID has 18 characters: 17 digits and a check digit or X."))
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("The check character of this resident ID is wrong; please re-check the number."))
