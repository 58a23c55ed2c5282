"""Parsers and checks for single values. Every failure says what to fix, in plain words."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
FORMULA_PREFIXES = ("=", "+", "-", "@")


class FieldError(ValueError):
    """A value that cannot be accepted; ``str()`` tells the user how to put it right."""


def nhs_number_check_digit_ok(digits: str) -> bool:
    """NHS numbers: 10 digits, the last a modulus-11 check digit over the first nine."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def parse_nhs_number(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text)
    if not digits.isdigit() or len(digits) != 10:
        raise FieldError("an NHS number has 10 digits (spaces allowed), such as 943 476 5919")
    if not nhs_number_check_digit_ok(digits):
        raise FieldError("this NHS number fails its check digit: check it for a mistyped digit")
    return digits


def format_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def parse_postcode(text: str) -> str:
    match = _POSTCODE.match(text.strip().upper())
    if not match:
        raise FieldError("a UK postcode looks like E1 1BB or SW17 0QT")
    return f"{match.group(1)} {match.group(2)}"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError("write dates as YYYY-MM-DD, such as 2026-03-14") from None


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 date and time; without an offset it is London local time (as clocks on the ward)."""
    cleaned = text.strip().replace(" ", "T", 1)
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise FieldError("write date and time as YYYY-MM-DD HH:MM, such as 2026-03-14 21:30") from None
    return london_to_utc(value) if value.tzinfo is None else value.astimezone(dt.UTC)


def london_to_utc(value: dt.datetime) -> dt.datetime:
    """A wall-clock time in London as UTC. In the autumn hour that happens twice, the first one."""
    return value.replace(tzinfo=LONDON, fold=0).astimezone(dt.UTC)


def parse_integer(text: str, minimum: int, maximum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise FieldError(f"enter a whole number from {minimum} to {maximum}") from None
    check_range(value, minimum, maximum)
    return value


def check_range(value: int, minimum: int, maximum: int) -> None:
    if not minimum <= value <= maximum:
        raise FieldError(f"enter a whole number from {minimum} to {maximum}")


_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def parse_boolean(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FieldError("answer yes or no")


def check_text(value: str, max_length: int, allow_formula_start: bool) -> str:
    value = value.strip()
    if len(value) > max_length:
        raise FieldError(f"shorten this to at most {max_length} characters (it has {len(value)})")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise FieldError("remove the control characters from this text")
    if not allow_formula_start and value.startswith(FORMULA_PREFIXES):
        raise FieldError("this cannot start with =, +, - or @ (it looks like a spreadsheet formula)")
    return value


def normalise_name(value: str) -> str:
    """For matching only: case-folded, accents removed, letters only (``O'Brien`` ~ ``obrien``)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))
