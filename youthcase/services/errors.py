"""Errors the services raise. Each carries a message fit to show a user, and a CLI exit code."""

from __future__ import annotations


class YouthcaseError(Exception):
    """Base for every expected failure. ``str(error)`` is the user-facing message."""

    exit_code = 1


class InvalidInput(YouthcaseError):
    exit_code = 2


class WrongCredentials(YouthcaseError):
    """One generic message for a wrong user name, password or recovery key."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__("the user name, password or recovery key is not correct")


class LockedOut(YouthcaseError):
    exit_code = 4

    def __init__(self, retry_after_seconds: float) -> None:
        self.retry_after_seconds = retry_after_seconds
        seconds = max(1, round(retry_after_seconds))
        super().__init__(f"too many failed attempts: try again in {seconds} seconds")


class VaultMissing(YouthcaseError):
    exit_code = 5


class VaultCorrupt(YouthcaseError):
    """Damaged, tampered with, or not a youthcase vault at all."""

    exit_code = 6


class VaultExists(YouthcaseError):
    exit_code = 7


class PermissionDenied(YouthcaseError):
    exit_code = 8


class AccountDisabled(YouthcaseError):
    exit_code = 9


class PasswordChangeRequired(YouthcaseError):
    exit_code = 10

    def __init__(self) -> None:
        super().__init__("this account has a temporary password: change it first (youthcase users passwd)")


class SchemaMismatch(YouthcaseError):
    """The schema is not one this app can use: a team server's of another version, a vault file's
    of a newer version, or an upgrade that failed (the vault left unchanged). Both are named."""

    exit_code = 12


class ServerLoginRefused(YouthcaseError):
    """The team server refused the account's own database login although its password opened the
    account (a disabled login, or a server password out of step)."""

    exit_code = 13
