"""Turning an exception from a background task into one sentence a user can act on.

Service errors (``YouthcaseError``) carry a message written for users. Anything else is a bug or a
lower layer's failure whose message could echo record values, so only its type is shown.
"""

from __future__ import annotations

import logging

from youthcase.services.errors import YouthcaseError

log = logging.getLogger(__name__)


def sentence(text: str) -> str:
    """Service messages are lower-case fragments; on screen they start with a capital."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def user_message(error: BaseException) -> str:
    if isinstance(error, YouthcaseError):
        return sentence(str(error))
    if type(error).__name__ == "VaultLockedError":  # storage layer; not imported at start-up
        return "The vault is locked."
    log.error("unexpected %s in a background task", type(error).__name__)
    return f"Something went wrong ({type(error).__name__}). Please try again or tell your administrator."
