"""Password rules after NIST SP 800-63B and NCSC: length over complexity, no composition rules.

At least 12 characters, up to 1024 (never truncated); not a common password (the 30,000 most
common, also after stripping leading and trailing digits and symbols, so ``Manchester2024!`` fails);
not built from the user name; not one repeated character.
"""

from __future__ import annotations

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


def _core(password: str) -> str:
    return password.casefold().strip("0123456789!@#$%^&*()-_=+.,?~ ")


def check_password(password: str, username: str = "") -> None:
    """Raise ``PasswordRejected`` with advice when a password must not be used."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"use at least {MIN_LENGTH} characters; a few words together work well")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"use at most {MAX_LENGTH} characters")
    if len(set(password)) == 1:
        raise PasswordRejected("do not repeat a single character")
    common = _common_passwords()
    if password.casefold() in common or _core(password) in common:
        raise PasswordRejected("this is a commonly used password; choose something less guessable")
    name = username.strip().casefold()
    if name and len(name) >= 3 and _core(password) in {name, name + name}:
        raise PasswordRejected("do not use your user name as your password")
