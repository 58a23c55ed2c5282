"""Password rules after NIST SP 800-63B and NCSC: length over complexity, no composition rules.

At least 12 characters, up to 1024 (never truncated); not a common password (the 30,000 most
common, also after stripping leading and trailing digits and symbols, so ``Manchester2024!`` fails);
not the user name with digits or symbols added at either end; not one repeated character.
Every password is NFKC-normalised first (SP 800-63B 5.1.1.2), both here and before the KDF, so the
same password typed with a composed or a decomposed accent is the same password.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from youthcase.resources import resource_path

MIN_LENGTH = 12
MAX_LENGTH = 1024


class PasswordRejected(ValueError):
    """The message says what to change."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = resource_path("common-passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


_PADDING = "0123456789!@#$%^&*()-_=+.,?~ "


def normalise_password(password: str) -> str:
    """NFKC, the one normalisation every password gets before rules and before Argon2id.

    Keyboards and operating systems differ in whether they send "é" as one code point or as "e" plus
    a combining accent; without this a password set on one machine would not open on another.
    """
    return unicodedata.normalize("NFKC", password)


def _core(password: str) -> str:
    """The password without digits and symbols at either end: what a guesser tries first."""
    return password.casefold().strip(_PADDING)


def _is_user_name(password: str, username: str) -> bool:
    """The user name (or its core, for names that end in digits) padded with digits or symbols."""
    name = normalise_password(username).strip().casefold()
    if len(name) < 3:
        return False
    names = {name, name + name}
    core_name = _core(name)
    if len(core_name) >= 3:
        names |= {core_name, core_name + core_name}
    return _core(password) in names


def check_password(password: str, username: str = "") -> None:
    """Raise ``PasswordRejected`` with advice when a password must not be used.

    The rules see the normalised password (what Argon2id will hash); the minimum length counts the
    shorter form, so a compatibility character such as "¼" (NFKC "1⁄4") cannot pad a short password.
    """
    typed, password = password, normalise_password(password)
    if min(len(typed), len(password)) < MIN_LENGTH:
        raise PasswordRejected(f"use at least {MIN_LENGTH} characters; a few words together work well")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"use at most {MAX_LENGTH} characters")
    if len(set(password)) == 1:
        raise PasswordRejected("do not repeat a single character")
    common = _common_passwords()
    if password.casefold() in common or _core(password) in common:
        raise PasswordRejected("this is a commonly used password; choose something less guessable")
    if _is_user_name(password, username):
        raise PasswordRejected("do not use your user name as your password")
