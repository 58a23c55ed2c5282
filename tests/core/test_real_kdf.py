"""The one test with the real Argon2id parameters: calibration and a full unlock."""

from __future__ import annotations

from pathlib import Path

import pytest

from youthcase.config import VaultLocation
from youthcase.crypto.kdf import CALIBRATION_FLOOR_ITERATIONS, DEFAULT_LANES, DEFAULT_MEMORY_KIB, calibrate
from youthcase.services.vault import LockedVault, create_vault


@pytest.mark.slow
def test_calibrated_parameters_create_and_unlock_a_vault(tmp_path: Path) -> None:
    params = calibrate()
    assert params.memory_kib == DEFAULT_MEMORY_KIB
    assert params.lanes == DEFAULT_LANES
    assert params.iterations >= CALIBRATION_FLOOR_ITERATIONS
    location = VaultLocation.parse(str(tmp_path / "real.vault"))
    create_vault(location, "admin", "correct horse battery staple", params).vault.lock()
    vault = LockedVault(location).unlock("admin", "correct horse battery staple")
    assert vault.kdf == params
    vault.lock()
