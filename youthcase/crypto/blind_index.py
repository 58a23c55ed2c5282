"""Keyed blind indexes: recognise a returning young person without storing who they are.

HMAC-SHA256 under the vault's blind-index key of a normalised identifier. Equal identifiers give
equal index values, so a lookup is a plain indexed ``WHERE``; without the key the values say
nothing, and they are never reversible. Names are normalised (case, accents, punctuation) and
sorted, so ``Zoë O'Brien`` matches ``OBRIEN, ZOE`` typed the other way round.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from youthcase.domain.validation import normalise_name


class BlindIndex:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()

    def nhs_number(self, digits: str | None) -> str | None:
        return None if not digits else self._mac("nhs-number", digits)

    def name_and_birth_date(self, given: str, family: str, date_of_birth: dt.date | None) -> str | None:
        if date_of_birth is None:
            return None
        names = sorted((normalise_name(given), normalise_name(family)))
        if not all(names):
            return None
        return self._mac("name-dob", f"{names[0]}|{names[1]}|{date_of_birth.isoformat()}")

    def text(self, purpose: str, value: str) -> str:
        """A keyed fingerprint of any text (for example an imported row, to import it once)."""
        return self._mac(purpose, value)
