"""Where the vault lives and which KDF cost to use, from arguments, environment and platform."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from youthcase.crypto.kdf import MINIMUM_PARAMS, KdfParams, calibrate

DB_ENVIRONMENT_VARIABLE = "YOUTHCASE_DB"
KDF_ENVIRONMENT_VARIABLE = "YOUTHCASE_KDF"
SERVER_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class VaultLocation:
    """Either a local SQLCipher file (with its header beside it) or a PostgreSQL URL."""

    path: Path | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str) -> VaultLocation:
        scheme = text.split(":", 1)[0].split("+", 1)[0].lower()
        if "://" in text and scheme in SERVER_SCHEMES:
            url = text if "+" in text.split("://", 1)[0] else text.replace("://", "+psycopg://", 1)
            return cls(url=url.replace("postgres+", "postgresql+", 1))
        return cls(path=Path(text).expanduser())

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def header_path(self) -> Path:
        if self.path is None:
            raise ValueError("a server vault has no header file")
        return self.path.with_name(self.path.name + ".header")

    def describe(self) -> str:
        """For messages: the file path, or the server URL without its password."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy import make_url

        return make_url(self.url or "").render_as_string(hide_password=True)


def default_vault_path() -> Path:
    return user_data_path("youthcase", appauthor=False) / "youthcase.vault"


def resolve_location(argument: str | None) -> VaultLocation:
    """``--db`` wins, then ``YOUTHCASE_DB``, then the platform's user data folder."""
    text = argument or os.environ.get(DB_ENVIRONMENT_VARIABLE) or str(default_vault_path())
    return VaultLocation.parse(text)


def kdf_params_for_new_vault() -> KdfParams:
    """Calibrated Argon2id, or the OWASP floor when ``YOUTHCASE_KDF=minimum`` (tests, demos)."""
    if os.environ.get(KDF_ENVIRONMENT_VARIABLE, "").lower() == "minimum":
        return MINIMUM_PARAMS
    return calibrate()
