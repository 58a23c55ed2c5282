"""How recorded values look on screen, and as text in an editor: one place for every screen.

Instants are stored in UTC and shown in London time; codes are shown by their label; names can be
reduced to initials (the "Hide names" mode against shoulder-surfing on a ward).
"""

from __future__ import annotations

import datetime as dt
import string
import unicodedata
from typing import Any

from youthcase.domain.dictionary import FieldKind, FieldSpec
from youthcase.domain.validation import LONDON, format_nhs_number
from youthcase.services.cases import EarlierCase


def day_text(value: dt.date | None) -> str:
    """``2 Mar 2026`` (no platform-specific strftime flags: Windows has no ``%-d``)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def earlier_case_text(case: EarlierCase) -> str:
    """``KCH, March 2026, still open, held by wanda``: where and when a case is, never what it says."""
    state = "still open" if case.open else "closed"
    return f"{case.site_code}, {case.arrival_month:%B %Y}, {state}, held by {case.held_by}"


def london(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON)


def instant_text(value: dt.datetime | None) -> str:
    """``2 Mar 2026 09:30`` in London time."""
    if value is None:
        return ""
    local = london(value)
    return f"{day_text(local.date())} {local:%H:%M}"


def instant_edit_text(value: dt.datetime | None) -> str:
    """What an editor shows for an instant: ``2026-03-02 09:30`` London time, as the parser reads."""
    return "" if value is None else f"{london(value):%Y-%m-%d %H:%M}"


def code_label(spec: FieldSpec, code: str | None) -> str:
    if code is None or spec.code_list is None:
        return code or ""
    try:
        return spec.code_list.label(code)
    except KeyError:
        return code


def display(spec: FieldSpec, value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == ():
        return ""
    kind = spec.kind
    if kind is FieldKind.CODE:
        return code_label(spec, value)
    if kind is FieldKind.CODES:
        return ", ".join(code_label(spec, code) for code in value)
    if kind is FieldKind.BOOLEAN:
        return "Yes" if value else "No"
    if kind is FieldKind.DATE:
        return day_text(value)
    if kind is FieldKind.INSTANT:
        return instant_text(value)
    if kind is FieldKind.NHS_NUMBER:
        return format_nhs_number(value)
    return str(value)


def edit_text(spec: FieldSpec, value: Any) -> str | list[str]:
    """A stored value as an editor holds it: text ``spec.parse`` reads back, or a list of codes."""
    if spec.kind is FieldKind.CODES:
        chosen: list[str] = list(value or ())
        return chosen
    if value is None:
        return ""
    if spec.kind is FieldKind.BOOLEAN:
        return "yes" if value else "no"
    if spec.kind is FieldKind.DATE:
        return str(value.isoformat())
    if spec.kind is FieldKind.INSTANT:
        return instant_edit_text(value)
    if spec.kind is FieldKind.NHS_NUMBER:
        return format_nhs_number(value)
    return str(value)


def initials(*names: str | None) -> str:
    """``J. O.`` from ``Jamal``, ``Okafor``: what the Hide names mode shows instead of a name."""
    letters = [f"{name.lstrip()[:1].upper()}." for name in names if name and not name.isspace()]
    return " ".join(letters) or "?"


def person_name(given: str, family: str, hide: bool) -> str:
    return initials(given, family) if hide else f"{given} {family}".strip()


_ASCII_PUNCTUATION = string.punctuation.encode("ascii")


def search_key(text: str) -> str:
    """The form searching compares: no case, no accents, no punctuation (``Zoë O'Brien`` ->
    ``zoe obrien``; ``RLH-26-00042`` -> ``rlh2600042``), words kept apart by single spaces."""
    if text.isascii():  # most names and every reference: bytes.translate is three times faster
        kept = text.lower().encode("ascii").translate(None, _ASCII_PUNCTUATION).decode("ascii")
        return " ".join(kept.split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if ch.isalnum() or ch.isspace())
    return " ".join(kept.split())
