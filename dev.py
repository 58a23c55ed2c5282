#!/usr/bin/env python3
"""Bootstrap script: the one command a fresh machine with only Python 3.11+ needs.

    python3 dev.py run [args...]      run the app (``youthcase`` with args passed through)
    python3 dev.py test [args...]     run the test suite (``python -m pytest`` with args)
    python3 dev.py lint               ruff check, ruff format --check, mypy (package, then tests)
    python3 dev.py bundle             build the PyInstaller bundle and smoke-test it

Each command first makes sure ``.venv`` exists and holds an up-to-date editable install of
the project, so developers, CI and the README all use the same single entry point instead
of hand-written venv/pip incantations that drift apart per platform.

Only the standard library is used, and the syntax stays importable by old Pythons so that
they get a readable "needs Python 3.11" message rather than a SyntaxError.
"""

# Every command run here is built from constants and the developer's own arguments.
# ruff: noqa: S603, S606

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# Lives inside .venv so deleting the venv also forgets what was installed into it.
STAMP = VENV / "youthcase-dev-stamp.json"
IS_WINDOWS = os.name == "nt"


def venv_executable(name: str) -> Path:
    """Path of a venv executable: ``Scripts\\x.exe`` on Windows, ``bin/x`` elsewhere."""
    if IS_WINDOWS:
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def venv_python() -> Path:
    return venv_executable("python")


def run(cmd: list[str]) -> int:
    """Echo and run a command from the repo root, so CI logs show exactly what happened."""
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def check(cmd: list[str]) -> None:
    """Run a command and stop the whole script if it fails (setup steps must not half-succeed)."""
    code = run(cmd)
    if code != 0:
        sys.exit(f"dev.py: command failed with exit code {code}: {' '.join(cmd)}")


def ensure_venv() -> None:
    """Create .venv with the interpreter running this script, unless it already works."""
    if venv_python().exists():
        return
    check([sys.executable, "-m", "venv", str(VENV)])
    STAMP.unlink(missing_ok=True)  # a rebuilt venv has none of the packages the stamp recorded


def pyproject_hash() -> str:
    """Fingerprint of the dependency declaration: reinstall only when it changes (fast reruns)."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def read_stamp() -> tuple[str, set[str]]:
    """The pyproject hash and the set of extras installed for it ("" meaning none yet)."""
    try:
        data = json.loads(STAMP.read_text(encoding="utf-8"))
        return str(data["pyproject_sha256"]), set(data["extras"])
    except (OSError, ValueError, KeyError, TypeError):
        return "", set()


def ensure_installed(extras: set[str]) -> None:
    """``pip install -e .[extras]`` unless the same pyproject already got these extras.

    Extras accumulate per pyproject hash, so ``test`` after ``bundle`` installs nothing new,
    while any edit to pyproject.toml invalidates everything and reinstalls.
    """
    ensure_venv()
    digest = pyproject_hash()
    stamped_digest, stamped_extras = read_stamp()
    if stamped_digest == digest and extras <= stamped_extras:
        return
    target = "." + (f"[{','.join(sorted(extras))}]" if extras else "")
    check([str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-e", target])
    installed = extras | (stamped_extras if stamped_digest == digest else set())
    STAMP.write_text(json.dumps({"pyproject_sha256": digest, "extras": sorted(installed)}), encoding="utf-8")


def project_version() -> str:
    """Version as the installed metadata reports it, i.e. what ``--version`` must print."""
    out = subprocess.check_output(
        [str(venv_python()), "-c", "import importlib.metadata as m; print(m.version('youthcase'))"],
        cwd=ROOT,
        text=True,
    )
    return out.strip()


def cmd_run(args: list[str]) -> int:
    ensure_installed(set())
    exe = str(venv_executable("youthcase"))
    if IS_WINDOWS:
        # os.execv on Windows spawns and returns at once, losing the exit code and the console.
        return subprocess.call([exe, *args])
    os.execv(exe, [exe, *args])  # replace this process: signals and exit code go straight through
    return 0  # unreachable


def cmd_test(args: list[str]) -> int:
    ensure_installed({"test"})
    # One worker per core (pytest-xdist): the suite runs every core and CLI test on both backends,
    # which takes too long in one process. "-n 0" (or any -n given) runs as asked.
    parallel = [] if any(a == "-n" or a.startswith("-n") for a in args) else ["-n", "auto"]
    return run([str(venv_python()), "-m", "pytest", *parallel, *args])


# In order; the first that fails stops the lint. mypy alone checks the package (strict, from
# pyproject.toml); the tests get bodies checked, with the tests.* overrides of pyproject.toml.
LINT_STEPS = (
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    ["mypy"],
    ["mypy", "--check-untyped-defs", "tests"],
)


def cmd_lint(args: list[str]) -> int:
    if args:
        print(f"dev.py lint takes no arguments, got: {' '.join(args)}", file=sys.stderr)
        return 2
    # "test" too: mypy needs pytest, hypothesis and pypdf installed to check the tests.
    ensure_installed({"dev", "test"})
    for step in LINT_STEPS:
        code = run([str(venv_python()), "-m", *step])
        if code != 0:
            print(f"dev.py: lint failed at {' '.join(step)} (exit code {code})", file=sys.stderr)
            return code
    print("dev.py: lint OK")
    return 0


def cmd_bundle(args: list[str]) -> int:
    # "postgres" too: build.spec hidden-imports psycopg, and team mode must work in the bundle.
    ensure_installed({"dev", "postgres"})
    check([str(venv_python()), "-m", "PyInstaller", "--noconfirm", *args, "build.spec"])
    exe = ROOT / "dist" / "youthcase" / ("youthcase.exe" if IS_WINDOWS else "youthcase")
    expected = f"youthcase {project_version()}"
    print(f"+ {exe} --version", flush=True)
    result = subprocess.run([str(exe), "--version"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = (result.stdout + result.stderr).strip()
    print(output)
    if result.returncode != 0 or output != expected:
        print(
            f"dev.py: bundle smoke test failed: exit code {result.returncode}, expected output {expected!r}",
            file=sys.stderr,
        )
        return 1
    print(f"dev.py: bundle OK: {exe}")
    return 0


COMMANDS = {"run": cmd_run, "test": cmd_test, "lint": cmd_lint, "bundle": cmd_bundle}


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        print(f"dev.py needs Python {wanted}+, this is {sys.version.split()[0]}")
        return 2
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
