"""The crash loop at its full count, printed as JSON (issue 11).

Writers (``import``, a contact, ``sites add``, ``users add``, ``backup``, ``restore --replace``) are SIGKILLed at
random moments; after each kill the vault must open, pass ``youthcase check`` and hold every change
a writer had reported as done (``tests/helpers/crash_loop.py`` says how). ``problems`` lists what
did not hold (the loop stops at the first, leaving the vault in ``--keep``'s folder when given).
The same ``--seed`` gives the same schedule. ``tests/core/test_crash_loop.py`` runs it at a small
count in CI.

Usage: ``python benchmarks/bench_crash.py [--iterations 200] [--seed 1] [--keep FOLDER]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("YOUTHCASE_KDF", "minimum")

from tests.helpers.crash_loop import run_crash_loop  # noqa: E402

FULL_COUNT = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=FULL_COUNT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="run in this (new) folder and keep it")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True)
        report = run_crash_loop(args.keep, args.iterations, args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="youthcase-crash-") as folder:
            report = run_crash_loop(Path(folder), args.iterations, args.seed)
    print(
        json.dumps(
            {
                "seed": report.seed,
                "iterations": report.iterations,
                "killed": dict(report.killed),
                "completed": dict(report.completed),
                "failed": dict(report.failed),
                "problems": report.problems,
                "leftovers": report.leftovers,
                "seconds": round(report.seconds, 1),
            },
            indent=2,
        )
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
