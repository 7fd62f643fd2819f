"""Validators for Chinese mobiles, landlines and resident ID numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kefu.core.validators import validate_cn_id_number, validate_cn_mobile, validate_cn_phone


@pytest.mark.parametrize("value", ["13812345678", "+86 138 1234 5678", "0086 13812345678", "19912345678"])
def test_valid_cn_mobiles_pass(value):
    """11-digit Chinese mobiles, with or without +86 and spaces, are accepted."""
    validate_cn_mobile(value)


@pytest.mark.parametrize(
    "value",
    ["12345678901", "1381234567", "138123456789", "021-62345678", "not a phone", "", "+1 650-253-0000"],
)
def test_invalid_cn_mobiles_are_refused(value):
    """Wrong length, unknown prefix, landlines, text and foreign numbers are not CN mobiles."""
    with pytest.raises(ValidationError):
        validate_cn_mobile(value)


@pytest.mark.parametrize("value", ["021-62345678", "010-12345678", "0755-86013388", "13812345678"])
def test_valid_cn_phones_pass(value):
    """Landlines with area code (and mobiles) are valid phone numbers."""
    validate_cn_phone(value)


@pytest.mark.parametrize("value", ["62345678-", "021-1234", "phone", "123"])
def test_invalid_cn_phones_are_refused(value):
    """Numbers without a valid area code or of the wrong length are refused with a message."""
    with pytest.raises(ValidationError) as caught:
        validate_cn_phone(value)
    assert caught.value.messages


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "11010519491231002x", " 11010519491231002X ", "440524188001010014"]
)
def test_resident_id_with_correct_check_character_passes(value):
    """GB 11643 examples pass; a lower-case x and surrounding spaces are tolerated."""
    validate_cn_id_number(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "check character"),
        ("440524188001010015", "check character"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100X2", "18 characters"),
        ("ABCDEFGHIJKLMNOPQR", "18 characters"),
    ],
)
def test_resident_id_with_wrong_check_or_shape_is_refused(value, message):
    """A wrong check character or a malformed ID is refused with a message saying which."""
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        validate_cn_id_number(value)
