"""The core never imports Qt: checked on the source and on what importing it actually loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import youthcase

PACKAGE = Path(youthcase.__file__).parent
CORE_FILES = [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_source_imports_qt() -> None:
    assert len(CORE_FILES) > 10
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] in {"PySide6", "shiboken6"}
        )
        for path in CORE_FILES
    }
    # The CLI starts the GUI on request with a function-level import of youthcase.gui; that is allowed.
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(("youthcase", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in CORE_FILES
        if "migrations" not in p.parts and p.name != "__main__.py"
    )
    script = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + ("bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\nprint(len(bad))\n")
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
