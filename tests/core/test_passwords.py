"""Password rules: length over complexity, a blocklist, no composition rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.domain.passwords import MAX_LENGTH, MIN_LENGTH, PasswordRejected, check_password


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
