"""Writers killed at random moments (issue 11): after every kill the vault opens, passes
``youthcase check`` and holds every change reported as done. The full count is
``benchmarks/bench_crash.py``; this is the same loop at a count that costs well under a minute."""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

import pytest

from tests.core.conftest import ADMIN, ADMIN_PASSWORD
from tests.helpers.crash_loop import OPERATIONS, cli, run_crash_loop, run_killed_after
from youthcase.cli.main import main

CI_ITERATIONS = 20  # ~20 s; the whole CI run stays well under 15 minutes


@pytest.mark.skipif(sys.platform == "win32", reason="the loop forks its writers")
def test_every_kill_leaves_a_sound_vault_with_every_reported_change(tmp_path: Path) -> None:
    report = run_crash_loop(tmp_path, CI_ITERATIONS, seed=11)
    assert report.problems == []
    assert report.iterations == CI_ITERATIONS
    # The schedule really killed writers, and of more than one kind, and let some finish.
    assert sum(report.killed.values()) >= CI_ITERATIONS // 3
    assert len(report.killed) >= 3 and sum(report.completed.values()) >= 1
    assert set(report.killed) | set(report.completed) <= set(OPERATIONS)


@pytest.mark.skipif(sys.platform == "win32", reason="the loop forks its writers")
def test_a_demo_killed_halfway_leaves_no_account(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.vault")
    out = io.StringIO()
    assert (
        main(["init", "--db", db, "--admin", ADMIN, "--password-stdin"], io.StringIO(ADMIN_PASSWORD + "\n"), out) == 0
    )
    recovery_key = out.getvalue().strip().splitlines()[-1]
    demo = ["demo", "--db", db, "--user", ADMIN, "--password-stdin", "--cases", "200"]
    stdin = f"{ADMIN_PASSWORD}\n{recovery_key}\n"
    whole = time.perf_counter()
    assert run_killed_after(cli(demo, stdin), None).exited == 0  # how long a whole run takes, in a copy
    seconds = time.perf_counter() - whole
    for name in (".header", ""):
        os.remove(db + name)
    assert (
        main(["init", "--db", db, "--admin", ADMIN, "--password-stdin"], io.StringIO(ADMIN_PASSWORD + "\n"), out) == 0
    )
    stdin = f"{ADMIN_PASSWORD}\n{out.getvalue().strip().splitlines()[-1]}\n"
    rng = random.Random(4)  # noqa: S311 - a reproducible schedule
    for _ in range(4):
        outcome = run_killed_after(cli(demo, stdin), rng.uniform(0.2, 0.9) * seconds)
        listing = io.StringIO()
        assert (
            main(["users", "list", "--db", db, "--user", ADMIN, "--password-stdin"], io.StringIO(stdin), listing) == 0
        )
        assert ("demo." in listing.getvalue()) == (outcome.exited == 0), outcome
        check = io.StringIO()
        assert main(["check", "--db", db, "--user", ADMIN, "--password-stdin"], io.StringIO(stdin), check, check) == 0
        if outcome.exited == 0:
            break
