"""Password rules: length over complexity, a blocklist, no composition rules."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthcase.crypto.kdf import MINIMUM_PARAMS, SALT_BYTES, derive_key
from youthcase.domain.passwords import MAX_LENGTH, MIN_LENGTH, PasswordRejected, check_password, normalise_password


@given(st.text(max_size=MIN_LENGTH - 1))
def test_short_passwords_are_rejected(password: str) -> None:
    with pytest.raises(PasswordRejected, match="at least 12"):
        check_password(password)


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop123", "Manchester2024!", "1q2w3e4r5t6y", "iloveyou12345", "aaaaaaaaaaaaaaa"]
)
def test_common_or_trivial_passwords_are_rejected(password: str) -> None:
    with pytest.raises(PasswordRejected):
        check_password(password)


def test_user_name_as_password_is_rejected() -> None:
    with pytest.raises(PasswordRejected, match="user name"):
        check_password("jsmith.worker2024", "jsmith.worker")


@given(
    st.lists(
        st.sampled_from(["river", "orbit", "tulip", "candle", "harbour", "violet", "ember"]),
        min_size=3,
        max_size=6,
        unique=True,
    )
)
def test_passphrases_of_plain_words_are_accepted_without_composition_rules(words: list[str]) -> None:
    check_password(" ".join(words))


def test_long_passwords_are_allowed_and_not_truncated() -> None:
    check_password("x" * 40 + "y" * 40)
    with pytest.raises(PasswordRejected, match="at most"):
        check_password("ab" * (MAX_LENGTH // 2 + 1))


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("wanda.smith2024", "wanda.smith"),
        ("2024wanda.smith!!", "wanda.smith"),
        ("Wanda.Smith!!2024", "wanda.smith"),
        ("tkowalski7!!!!!!!!", "tkowalski7"),  # a name ending in digits: its core padded counts too
        ("12345tkowalski2024", "tkowalski7"),
    ],
)
def test_user_name_padded_with_digits_or_symbols_is_rejected(password: str, username: str) -> None:
    with pytest.raises(PasswordRejected, match="user name"):
        check_password(password, username)


def test_a_password_that_only_contains_the_user_name_among_words_is_allowed() -> None:
    check_password("wanda.smith likes orbit tulips", "wanda.smith")


_ACCENTED = st.text(alphabet="eéèêaàâoôuùcçnñ AEÉ", min_size=1, max_size=30)


@given(_ACCENTED)
def test_composed_and_decomposed_forms_are_one_password(text: str) -> None:
    composed, decomposed = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert normalise_password(composed) == normalise_password(decomposed)
    outcomes = []
    for form in (composed, decomposed):
        try:
            check_password(form + " river orbit")
            outcomes.append("accepted")
        except PasswordRejected as rejected:
            outcomes.append(str(rejected))
    assert outcomes[0] == outcomes[1]


@settings(max_examples=5, deadline=None)
@given(_ACCENTED)
def test_composed_and_decomposed_forms_derive_the_same_key(text: str) -> None:
    salt = bytes(SALT_BYTES)
    composed = derive_key(unicodedata.normalize("NFC", text), salt, MINIMUM_PARAMS)
    assert composed == derive_key(unicodedata.normalize("NFD", text), salt, MINIMUM_PARAMS)


def test_a_compatibility_character_does_not_pad_a_short_password() -> None:
    with pytest.raises(PasswordRejected, match="at least 12"):
        check_password("river¼orb")  # 9 typed characters, 11 after NFKC ("1⁄4")
