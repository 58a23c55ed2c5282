"""Failed unlocks, printed as JSON: an unknown user name against a wrong password for a known one.

Issue 9: an unknown name must cost the same key derivation as a real account, so that the time of
a failed login does not tell whether the name exists. With the real calibrated Argon2id cost (as
``unlock_real_kdf_seconds`` in benchmarks/bench_foundation.py), each run times, through
``LockedVault.unlock`` as the login screen calls it:

- ``wrong_password``: a known account (a youth worker who has set their own password, so their
  slot holds their key pairs) with a wrong password;
- ``unknown_user``: a name no account has (a new one each run, so no name reaches the back-off:
  the first ``FREE_ATTEMPTS`` failures of a name are not delayed);
- ``unlock``: the known account's right password, which also clears its failure count, so the
  next run's wrong password is not delayed either (shown for reference).

Both failures must raise ``WrongCredentials``. The order of the two failures alternates between
runs so that drift on a shared machine falls on both alike. Figures are medians over the runs;
``ratio`` = unknown / wrong password. Goal: within 10 % (0.9 to 1.1). ``same_kdf_parameters``
checks what the test suite checks: both attempts run the same Argon2id parameters.

Usage: ``python benchmarks/bench_login.py [--runs 9]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The package of the checkout (or worktree) this file is in, not whichever one the venv installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import KdfParams, calibrate  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.domain.throttle import FREE_ATTEMPTS  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.errors import WrongCredentials  # noqa: E402
from youthcase.services.vault import LockedVault, create_vault  # noqa: E402

ADMIN = ("admin", "harbour lantern quietly 41")
KNOWN = ("bench.worker", "orchard bicycle morning 27")
TEMPORARY = "temporary kestrel window 19"
WRONG = "orchard bicycle morning 28"
GOAL_RATIO_WITHIN = 0.10


def make_vault(folder: Path, params: KdfParams) -> VaultLocation:
    """A vault at the calibrated cost with one worker who has changed their temporary password."""
    location = VaultLocation(path=folder / "login.vault")
    created = create_vault(location, ADMIN[0], ADMIN[1], params)
    try:
        AccountService(created.vault).add_user(KNOWN[0], Role.WORKER, TEMPORARY)
    finally:
        created.vault.lock()
    vault = LockedVault(location).unlock(KNOWN[0], TEMPORARY)
    try:
        AccountService(vault).change_own_password(TEMPORARY, KNOWN[1])
    finally:
        vault.lock()
    return location


def failed(location: VaultLocation, username: str, password: str) -> float:
    """Seconds until the unlock refuses, as a wrong name or password (anything else is a bug)."""
    started = time.perf_counter()
    try:
        LockedVault(location).unlock(username, password).lock()
    except WrongCredentials:
        return time.perf_counter() - started
    raise RuntimeError(f"{username!r} unlocked with a password that should have failed")


def opened(location: VaultLocation, username: str, password: str) -> float:
    started = time.perf_counter()
    LockedVault(location).unlock(username, password).lock()
    return time.perf_counter() - started


def summary(times: list[float]) -> dict[str, Any]:
    return {
        "median_seconds": round(statistics.median(times), 4),
        "min_seconds": round(min(times), 4),
        "max_seconds": round(max(times), 4),
        "runs": [round(t, 4) for t in times],
    }


def bench_login(folder: Path, runs: int) -> dict[str, Any]:
    params = calibrate()
    location = make_vault(folder, params)
    locked = LockedVault(location)
    unknown_names = [f"no.such.user{run}" for run in range(runs)]
    same_params = all(locked.kdf_for_login(name) == locked.kdf_for_login(KNOWN[0]) for name in unknown_names)
    times: dict[str, list[float]] = {"wrong_password": [], "unknown_user": [], "unlock": []}
    opened(location, *KNOWN)  # warm up: the first unlock of a process imports and opens more
    for run, name in enumerate(unknown_names):
        attempts = [("wrong_password", KNOWN[0]), ("unknown_user", name)]
        for kind, username in attempts if run % 2 == 0 else reversed(attempts):
            times[kind].append(failed(location, username, WRONG))
        times["unlock"].append(opened(location, *KNOWN))  # clears the known account's count
    known = statistics.median(times["wrong_password"])
    unknown = statistics.median(times["unknown_user"])
    ratio = unknown / known
    return {
        "kdf": {"memory_kib": params.memory_kib, "iterations": params.iterations, "lanes": params.lanes},
        "same_kdf_parameters": same_params,
        "free_attempts_per_name": FREE_ATTEMPTS,
        "wrong_password": summary(times["wrong_password"]),
        "unknown_user": summary(times["unknown_user"]),
        "unlock": summary(times["unlock"]),
        "ratio": round(ratio, 3),
        "goal_ratio_within": GOAL_RATIO_WITHIN,
        "within_goal": abs(ratio - 1) <= GOAL_RATIO_WITHIN,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        report = bench_login(Path(directory), max(1, args.runs))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
