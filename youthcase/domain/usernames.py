"""Staff user names: short, lower-case, safe to show in lists and audit views."""

from __future__ import annotations

import re

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def normalise_username(text: str) -> str:
    name = text.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise ValueError(f"user name {text!r} must be 2-64 characters: letters, digits, dot, dash or underscore")
    return name
