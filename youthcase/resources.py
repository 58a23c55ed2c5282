"""The one way to find files in ``resources/``, in a source checkout and in the frozen bundle.

``build.spec`` copies the repository's ``resources/`` folder to ``resources`` inside the bundle.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    path = resources_root() / name
    if not path.exists():
        raise FileNotFoundError(f"resource {name} is missing from {resources_root()}")
    return path
