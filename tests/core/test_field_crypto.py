"""Row-bound AES-256-GCM: round trips, and every kind of tampering is an error."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.crypto.errors import TamperedDataError
from youthcase.crypto.fields import HEADER_BYTES, FieldBinding, FieldCipher
from youthcase.storage.encrypted import EncryptedDate, EncryptedText

CIPHER = FieldCipher(os.urandom(32))
BINDING = FieldBinding("young_person", "given_name", uuid.UUID(int=1))

texts = st.text(max_size=5000)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(texts)
def test_text_round_trip(value: str) -> None:
    column = EncryptedText()
    blob = CIPHER.seal(column.encode(value), BINDING)
    assert column.decode(CIPHER.open(blob, BINDING)) == value


@given(dates)
def test_date_round_trip(value: dt.date) -> None:
    column = EncryptedDate()
    blob = CIPHER.seal(column.encode(value), BINDING)
    assert column.decode(CIPHER.open(blob, BINDING)) == value


def test_large_value_round_trips() -> None:
    value = "Ω" * 1_000_000
    assert CIPHER.open(CIPHER.seal(value.encode(), BINDING), BINDING).decode() == value


def test_same_value_encrypts_differently_each_time() -> None:
    assert CIPHER.seal(b"Jamal", BINDING) != CIPHER.seal(b"Jamal", BINDING)


@given(st.binary(max_size=200), st.data())
def test_any_flipped_bit_is_detected(plaintext: bytes, data: st.DataObject) -> None:
    blob = bytearray(CIPHER.seal(plaintext, BINDING))
    bit = data.draw(st.integers(0, len(blob) * 8 - 1), label="bit")
    blob[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(TamperedDataError):
        CIPHER.open(bytes(blob), BINDING)


@pytest.mark.parametrize(
    "other",
    [
        FieldBinding("young_person", "given_name", uuid.UUID(int=2)),  # another row
        FieldBinding("young_person", "family_name", uuid.UUID(int=1)),  # another column
        FieldBinding("contact", "given_name", uuid.UUID(int=1)),  # another table
    ],
)
def test_ciphertext_moved_elsewhere_is_detected(other: FieldBinding) -> None:
    blob = CIPHER.seal(b"Jamal", BINDING)
    with pytest.raises(TamperedDataError):
        CIPHER.open(blob, other)


def test_wrong_key_is_detected() -> None:
    blob = CIPHER.seal(b"Jamal", BINDING)
    with pytest.raises(TamperedDataError):
        FieldCipher(os.urandom(32)).open(blob, BINDING)


@given(st.binary(max_size=HEADER_BYTES + 15))
def test_truncated_or_garbage_blob_is_detected(blob: bytes) -> None:
    with pytest.raises(TamperedDataError):
        CIPHER.open(blob, BINDING)


def test_known_answer_for_the_stored_layout() -> None:
    """Pins the on-disk format: these bytes were written by version 0.1 and must always open."""
    stored = bytes.fromhex("0101000102030405060708090a0b2660b5081bb466dd8641d66a8805e25df3c252")
    binding = FieldBinding("t", "c", uuid.UUID(int=7))
    assert FieldCipher(bytes(range(32))).open(stored, binding) == b"abc"
