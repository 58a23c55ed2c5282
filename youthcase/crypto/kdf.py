"""Argon2id password hashing parameters: defaults, validation and calibration."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from youthcase.crypto.errors import WeakKdfParametersError
from youthcase.domain.passwords import normalise_password

SALT_BYTES = 16

# OWASP's floor for Argon2id (19 MiB, 2 passes); anything below is refused when read back.
MIN_MEMORY_KIB = 19 * 1024
MIN_ITERATIONS = 2
# Upper bounds stop a tampered header from turning an unlock into a denial of service.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64
MAX_LANES = 16

DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_LANES = 4
CALIBRATION_FLOOR_ITERATIONS = 3
CALIBRATION_TARGET_SECONDS = 0.5


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters stored beside each key slot."""

    memory_kib: int
    iterations: int
    lanes: int

    def validate(self) -> None:
        """Refuse parameters a downgrade attack or a corrupt header could have produced."""
        if not MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB:
            raise WeakKdfParametersError(f"Argon2id memory {self.memory_kib} KiB is out of range")
        if not MIN_ITERATIONS <= self.iterations <= MAX_ITERATIONS:
            raise WeakKdfParametersError(f"Argon2id iterations {self.iterations} out of range")
        if not 1 <= self.lanes <= MAX_LANES:
            raise WeakKdfParametersError(f"Argon2id lanes {self.lanes} out of range")
        if self.memory_kib < 8 * self.lanes:
            raise WeakKdfParametersError("Argon2id memory is too small for its lanes")

    def encode(self) -> bytes:
        """Canonical bytes bound into the slot's AAD so that any change fails the unwrap."""
        return f"argon2id;m={self.memory_kib};t={self.iterations};p={self.lanes}".encode("ascii")


MINIMUM_PARAMS = KdfParams(memory_kib=MIN_MEMORY_KIB, iterations=MIN_ITERATIONS, lanes=1)
"""The floor: only for tests and explicit opt-in (``YOUTHCASE_KDF=minimum``)."""


def derive_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    """Stretch a password into a 256-bit wrapping key. Runs for about half a second by design.

    The password is NFKC-normalised here, in the one place every slot goes through, so no caller can
    forget it and a composed or decomposed accent opens the same slot.
    """
    params.validate()
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalise_password(password).encode("utf-8"))


SERVER_LOGIN_SALT_CONTEXT = b"youthcase/v1/server-login-salt|"


def server_login_salt(vault_id: str, username: str) -> bytes:
    """The salt of an account's team-server login password: its own, never the slot's, fixed per
    vault and account so that a client can derive the password before it has read anything."""
    return hashlib.sha256(SERVER_LOGIN_SALT_CONTEXT + f"{vault_id}|{username}".encode()).digest()[:SALT_BYTES]


def server_password(password: str, vault_id: str, username: str, params: KdfParams) -> str:
    """The account's PostgreSQL login password: a separate Argon2id derivation of the account
    password (its own salt, the slot's parameters), so one password opens the slot and the login and
    neither output tells anything about the other. Text, as libpq wants it."""
    raw = derive_key(password, server_login_salt(vault_id, username), params)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def calibrate(target_seconds: float = CALIBRATION_TARGET_SECONDS) -> KdfParams:
    """Choose iterations so one derivation takes about ``target_seconds`` on this machine."""
    probe = KdfParams(DEFAULT_MEMORY_KIB, CALIBRATION_FLOOR_ITERATIONS, DEFAULT_LANES)
    started = time.perf_counter()
    derive_key("calibration", os.urandom(SALT_BYTES), probe)
    per_iteration = (time.perf_counter() - started) / probe.iterations
    iterations = round(target_seconds / per_iteration) if per_iteration > 0 else MAX_ITERATIONS
    iterations = max(CALIBRATION_FLOOR_ITERATIONS, min(MAX_ITERATIONS, iterations))
    return KdfParams(DEFAULT_MEMORY_KIB, iterations, DEFAULT_LANES)
