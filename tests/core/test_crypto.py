"""Personal data at rest: encryption, lookup hashes and masking."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.core import crypto
from kefu.core.fields import EncryptedTextField


@settings(max_examples=100, deadline=None)
@given(plaintext=st.text(min_size=1, max_size=200))
def test_encrypt_then_decrypt_returns_the_plaintext(plaintext):
    """Any text, Chinese included, survives an encryption round trip and never appears in the token."""
    token = crypto.encrypt(plaintext)
    assert crypto.decrypt(token) == plaintext
    if len(plaintext) > 3:
        assert plaintext not in token


def test_encrypting_twice_gives_different_tokens():
    """Encryption is randomised, so equal values are not visible as equal ciphertexts."""
    assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


def test_decrypting_with_a_wrong_key_raises_value_error(settings):
    """A value encrypted under one key cannot be read under another: ValueError, not garbage."""
    token = crypto.encrypt("110101199003071234")
    settings.FIELD_ENCRYPTION_KEY = "a-different-key"
    with pytest.raises(ValueError, match="KEFU_FIELD_KEY"):
        crypto.decrypt(token)


def test_decrypting_garbage_raises_value_error():
    """A value that is not a token at all raises ValueError."""
    with pytest.raises(ValueError, match="cannot be read"):
        crypto.decrypt("not-a-token")


def test_lookup_hash_ignores_spacing_and_country_code():
    """'138 1234 5678', '+86 13812345678', '0086-138-1234-5678' and '13812345678' hash alike."""
    hashes = {crypto.lookup_hash(v) for v in ("138 1234 5678", "+86 13812345678", "0086-138-1234-5678", "13812345678")}
    assert len(hashes) == 1
    assert crypto.lookup_hash("13812345679") not in hashes


def test_lookup_hash_is_case_insensitive_for_id_check_letter():
    """An ID ending in x or X hashes alike."""
    assert crypto.lookup_hash("11010519491231002x") == crypto.lookup_hash("11010519491231002X")


def test_lookup_hash_depends_on_the_key(settings):
    """The hash is keyed: another key gives another hash, so the column reveals nothing by itself."""
    before = crypto.lookup_hash("13812345678")
    settings.FIELD_ENCRYPTION_KEY = "a-different-key"
    assert crypto.lookup_hash("13812345678") != before
    assert len(before) == 64


def test_lookup_hash_of_empty_value_is_empty():
    """No value, no hash: empty contacts do not all match each other."""
    assert crypto.lookup_hash("") == ""


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("021-62345678", "*******5678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_masked(value, masked):
    """Mobiles show the first three and last four digits; other numbers only the last four."""
    assert crypto.mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("110101199003071234", "110101********1234"), ("11010519491231002X", "110105********002X"), ("1234", "****")],
)
def test_id_numbers_are_masked(value, masked):
    """An ID shows its region code and last four characters only."""
    assert crypto.mask_id_number(value) == masked


def test_encrypted_field_prepares_ciphertext_and_reads_plaintext():
    """EncryptedTextField writes a token and turns it back into the plaintext when read."""
    field = EncryptedTextField()
    stored = field.get_prep_value("13812345678")
    assert stored != "13812345678"
    assert field.from_db_value(stored, None, connection) == "13812345678"
    assert field.get_prep_value("") == ""
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, connection) is None


@pytest.mark.django_db
def test_database_holds_only_ciphertext_of_an_encrypted_field():
    """A row saved through the ORM stores a token; reading it through the ORM gives the plaintext."""
    from kefu.customers.models import Customer
    from kefu.customers.services import customer_create

    customer = customer_create(
        actor=None,
        data={
            "name": "张三",
            "kind": "person",
            "ownership": "private",
            "region": "shanghai",
            "id_number": "11010519491231002X",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Customer._meta.db_table} WHERE id = %s", [customer.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert "11010519491231002X" not in raw
    assert crypto.decrypt(raw) == "11010519491231002X"
    assert Customer.objects.get(pk=customer.pk).id_number == "11010519491231002X"


def test_a_landline_hashes_alike_with_or_without_country_code_and_trunk_zero():
    """021-62345678 and +86 21 6234 5678 are the same line, so an exact-phone search finds either form."""
    assert (
        crypto.lookup_hash("021-62345678")
        == crypto.lookup_hash("+86 21 6234 5678")
        == crypto.lookup_hash("02162345678")
    )
