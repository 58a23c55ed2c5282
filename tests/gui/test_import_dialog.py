"""Importing cases from a CSV file: the preview lists every row and every problem; Import is
enabled only when there are none; the import shows progress and a summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.models.imports import NAME, PROBLEM_COLUMN, PROBLEM_ROW, STATUS
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.shell import Shell
from youthcase.resources import resource_path

from .conftest import WAIT_MS

pytestmark = pytest.mark.gui

HEADER = resource_path("case-import-template.csv").read_text(encoding="utf-8-sig").strip()
GOOD = (
    "Amir,Hassan,2009-02-03,,E13 9PJ,1,H,newham,RLH,2026-03-01 21:30,ed_staff,"
    "2026-03-01 21:00,knife,street,Outside the station,"
)
OTHER = "Bella,Adams,2008-06-30,,,2,A,hackney,RLH,2026-02-27 18:10,police,,body,park,,"
BAD = "Bad,Row,2009-13-45,,,7,H,newham,XYZ,2026-03-01 21:30,ed_staff,,spoon,street,,"


def write_csv(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def caseload(qtbot, shell: Shell) -> CaseloadPage:
    assert shell.workspace is not None and shell.workspace.caseload is not None
    page = shell.workspace.caseload
    qtbot.waitUntil(lambda: page.has_loaded and not page.loading.isVisible(), timeout=WAIT_MS)
    return page


def test_problems_disable_import(qtbot, shell: Shell, vault, log_in, prompts, tmp_path) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    prompts.import_files.append(write_csv(tmp_path, "cases.csv", GOOD, BAD))
    dialog = page.open_import()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT_MS)
    assert not dialog.import_button.isEnabled()
    assert dialog.rows.rowCount() == 2
    assert dialog.rows.index(0, STATUS).data() == "New case"
    assert dialog.rows.index(1, STATUS).data() == "Has problems"
    problems = {
        (dialog.problems.index(r, PROBLEM_ROW).data(), dialog.problems.index(r, PROBLEM_COLUMN).data())
        for r in range(dialog.problems.rowCount())
    }
    assert {("3", "date_of_birth"), ("3", "sex"), ("3", "site"), ("3", "assault_method")} <= problems
    assert dialog.tabs.currentIndex() == 1  # the problems are what to look at
    assert "nothing can be imported" in dialog.summary.text()
    dialog.start_import()  # refused while there are problems
    assert not dialog.running
    dialog.set_hide_names(True)
    assert dialog.rows.index(0, NAME).data() == "A. H."
    dialog.done(0)
    assert page.model.total == 0


def test_a_clean_file_imports_with_a_summary(qtbot, shell: Shell, vault, log_in, prompts, tmp_path) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    prompts.import_files.append(write_csv(tmp_path, "cases.csv", GOOD, OTHER, GOOD))
    dialog = page.open_import()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT_MS)
    assert dialog.import_button.isEnabled()
    assert "3 rows read; 2 new cases" in dialog.summary.text()
    assert dialog.rows.index(2, STATUS).data() == "Repeats row 2"
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert imported.args[0].imported == 2
    assert dialog.summary.text().startswith("Imported 2 cases (RLH-26-00001 to RLH-26-00002)")
    assert not dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: page.model.total == 2 and not page.loading.isVisible(), timeout=WAIT_MS)
    dialog.done(0)

    # The same file again: every row is already there; nothing to import.
    prompts.import_files.append(tmp_path / "cases.csv")
    again = page.open_import()
    assert again is not None
    qtbot.waitUntil(lambda: again.preview is not None, timeout=WAIT_MS)
    assert not again.import_button.isEnabled()
    assert "2 already imported" in again.summary.text()
    again.done(0)


def test_an_unreadable_file_says_how_to_save_it(qtbot, shell: Shell, vault, log_in, prompts, tmp_path) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    workbook = tmp_path / "cases.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    prompts.import_files.append(workbook)
    dialog = page.open_import()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert "CSV UTF-8" in dialog.error.text()
    assert not dialog.import_button.isEnabled()
    dialog.done(0)
