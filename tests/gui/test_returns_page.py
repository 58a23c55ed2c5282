"""The Returns page: choices, a build on the background queue that never blocks the window, the
PDF's own pages in the preview, saving both files through the (replaced) save dialog, locking, and
who may produce a return."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from youthcase.gui.background import Background
from youthcase.gui.navigation import SECTIONS, Section
from youthcase.gui.pages.returns import (
    ReturnFileDialog,
    ReturnsPage,
    csv_path_for,
    disclosure_rule,
    months_before,
    pdf_path_for,
)
from youthcase.gui.pdf_preview import POINTS_PER_INCH, SCREEN_DPI
from youthcase.gui.shell import Shell
from youthcase.returns.disclosure import STANDARD, DisclosureRule
from youthcase.returns.kpis import Month
from youthcase.returns.pdf import render_pdf
from youthcase.services import returns as return_service
from youthcase.services.errors import PermissionDenied
from youthcase.services.returns import ReturnService
from youthcase.storage.models import AuditEvent

from .conftest import FakeClock, FakePrompts, Person, new_case, record_cases, signed_in

if TYPE_CHECKING:
    from .conftest import TestVault

pytestmark = pytest.mark.gui
WAIT_MS = 10_000
A4_WIDTH_POINTS = 595.28
RETURNS_SPEC = next(spec for spec in SECTIONS if spec.section is Section.RETURNS)


@dataclass
class FakeReturnFileDialog(ReturnFileDialog):
    """Answers the save dialog from a script and records the name it suggested."""

    answers: list[Path | None]
    suggested: list[Path] = field(default_factory=list)

    def choose_pdf(self, parent: QWidget | None, suggested: Path) -> Path | None:
        self.suggested.append(suggested)
        return self.answers.pop(0)


@pytest.fixture
def open_returns(
    qtbot,
    shell: Shell,
    vault: TestVault,
    clock: FakeClock,  # type: ignore[no-untyped-def]
    log_in: Callable[[Person], None],
) -> Callable[[Person], ReturnsPage]:
    """A few February cases at RLH, then the Returns page as ``person``, its sites loaded."""
    record_cases(
        vault,
        clock,
        vault.worker,
        *(
            new_case(given, "Okoro", arrived_hours_ago=24 * days)
            for given, days in (("Ade", 9), ("Bola", 12), ("Chidi", 20))
        ),
    )

    def open_page(person: Person) -> ReturnsPage:
        log_in(person)
        assert shell.workspace is not None
        assert shell.workspace.show_section(Section.RETURNS)
        page = shell.workspace.pages[Section.RETURNS]
        assert isinstance(page, ReturnsPage)
        assert shell.workspace.stack.currentWidget() is page
        qtbot.waitUntil(lambda: page.site.count() == 5, timeout=WAIT_MS)
        return page

    return open_page


@pytest.fixture
def page(open_returns: Callable[[Person], ReturnsPage], vault: TestVault) -> ReturnsPage:
    return open_returns(vault.supervisor)


@pytest.fixture
def held_pdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The service waits before drawing the PDF until the test sets the event (10 s at most)."""
    gate = threading.Event()
    real_render = render_pdf  # the function services.returns imported, from its defining module

    def held_render(model: object) -> bytes:
        assert gate.wait(WAIT_MS / 1000), "the build was held and never let go"
        return real_render(model)  # type: ignore[arg-type]

    monkeypatch.setattr(return_service, "render_pdf", held_render)
    yield gate
    gate.set()  # never leave the worker waiting


def _build(qtbot, page: ReturnsPage) -> None:  # type: ignore[no-untyped-def]
    """Build the return and wait until every page of its PDF is in the preview."""
    with qtbot.waitSignal(page.built, timeout=WAIT_MS):
        page.build_button.click()
    assert page.documents is not None
    pages = len(PdfReader(io.BytesIO(page.documents.pdf)).pages)
    qtbot.waitUntil(lambda: page.preview.page_count == pages and not page.preview.busy, timeout=WAIT_MS)


def _export_events(vault: TestVault, clock: FakeClock) -> list[AuditEvent]:
    with signed_in(vault.location, clock, vault.supervisor) as unlocked, unlocked.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


def _lock_and_settle(qtbot, shell: Shell, background: Background) -> None:  # type: ignore[no-untyped-def]
    shell.lock()
    assert background.wait_for_done(WAIT_MS)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)


# --- the choices -------------------------------------------------------------------------------


def test_months_are_the_24_complete_months_before_now_in_london_time() -> None:
    months = months_before(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC))
    assert len(months) == 24
    assert months[0] == Month(2026, 2) and months[-1] == Month(2024, 3)
    # 23:30 UTC on 31 March is 00:30 BST on 1 April: March is then complete.
    assert months_before(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))[0] == Month(2026, 3)
    assert months_before(dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC))[0] == Month(2025, 12)


def test_the_page_offers_months_and_sites(page: ReturnsPage) -> None:
    assert page.month.count() == 24
    assert page.month.currentText() == "February 2026"  # the fake clock says 2 March 2026
    assert page.month.itemText(23) == "March 2024"
    codes = [page.site.itemData(row) for row in range(page.site.count())]
    assert codes[0] is None and page.site.itemText(0) == "All sites"
    assert set(codes[1:]) == {"RLH", "KCH", "SGH", "SMH"}
    assert page.site.itemText(codes.index("RLH")).startswith("RLH · ")
    assert page.build_button.isEnabled()
    assert not page.save_button.isVisible()
    assert page.preview_stack.currentWidget() is page.empty


def test_disclosure_rule_checks() -> None:
    assert disclosure_rule(False, "", "") is STANDARD
    assert disclosure_rule(True, "10", "10") == DisclosureRule(10, 10)
    for threshold, base, problem in (
        ("5", "5", "7 to 999"),
        ("ten", "5", "whole number"),
        ("10", "2", "5 to 999"),
        ("7", "50", "too large"),
    ):
        with pytest.raises(ValueError, match=problem):
            disclosure_rule(True, threshold, base)


def test_stricter_disclosure_is_validated_before_a_build(qtbot, page: ReturnsPage) -> None:
    assert not page.threshold.isVisible()
    assert page.rule_help.text().startswith("Counts of 1 to 7 are shown as *")
    page.stricter.setChecked(True)
    assert page.threshold.isVisible() and page.rounding_base.isVisible()
    page.threshold.setText("5")
    assert not page.build_button.isEnabled()
    assert page.rule_help.objectName() == "fieldError"
    assert "7 to 999" in page.rule_help.text()
    assert page.threshold.property("invalid") is True
    page.threshold.setText("10")
    page.rounding_base.setText("10")
    assert page.build_button.isEnabled()
    assert page.rule_help.objectName() == "fieldHelp"
    assert page.rule_help.text() == (
        "Counts of 1 to 10 are shown as *; other counts are rounded to the nearest 10 (never below 20); 0 stays 0."
    )
    _build(qtbot, page)
    assert page.documents is not None
    assert page.documents.model.rule == DisclosureRule(10, 10)
    assert "stricter disclosure control" in page.details.text()


# --- building ----------------------------------------------------------------------------------


def test_building_runs_in_the_background_and_the_window_keeps_working(
    qtbot, page: ReturnsPage, held_pdf: threading.Event
) -> None:
    """The service is held just before it draws the PDF, and is let go by a timer on the GUI
    thread once the GUI thread has shown that step's progress message: a build that blocked the
    GUI thread could never finish."""
    gui_thread = threading.get_ident()
    reports: list[tuple[float, str, int]] = []
    page.progress_reported.connect(lambda f, m: reports.append((f, m, threading.get_ident())))
    seen: list[str] = []

    def tick() -> None:
        seen.append(page.progress_message.text())
        if seen.count("Drawing the PDF…") >= 3:
            held_pdf.set()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    with qtbot.waitSignal(page.built, timeout=WAIT_MS):
        page.build_button.click()
        # The click came straight back: the build is queued, the form waits for it.
        assert page.building
        assert page.progress.isVisible()
        assert not page.build_button.isEnabled() and page.build_button.text() == "Building…"
        assert not page.month.isEnabled() and not page.site.isEnabled()
        timer.start()
    timer.stop()

    assert held_pdf.is_set()
    assert seen.count("Drawing the PDF…") >= 3  # the timer fired while the service was held
    assert {thread for _, _, thread in reports} == {gui_thread}
    fractions = [fraction for fraction, _, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [m for _, m, _ in reports][:1] == ["Reading the figures"]
    assert not page.building and not page.progress.isVisible()
    assert page.build_button.isEnabled() and page.build_button.text() == "Build return"
    assert page.documents is not None
    assert page.summary.text() == "February 2026 · All sites"


def test_the_preview_shows_every_page_of_the_pdf(qtbot, page: ReturnsPage) -> None:
    _build(qtbot, page)
    assert page.documents is not None
    pages = len(PdfReader(io.BytesIO(page.documents.pdf)).pages)
    assert pages > 1
    assert page.preview.page_count == pages
    assert page.preview_stack.currentWidget() is page.preview
    assert f"{pages} pages" in page.details.text()
    full_width = round(A4_WIDTH_POINTS * SCREEN_DPI / POINTS_PER_INCH)
    pixmaps = page.preview.pixmaps()
    assert all(not pixmap.isNull() for pixmap in pixmaps)
    assert abs(pixmaps[0].width() - full_width) <= 1
    assert pixmaps[0].height() > pixmaps[0].width()  # portrait A4
    image = pixmaps[0].toImage()  # drawn, not blank: the banner, the text and the paper
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 41)}
    assert "#ffffff" in colours and len(colours) > 3

    page.zoom.setCurrentIndex(page.zoom.findData(0.5))
    qtbot.waitUntil(
        lambda: (
            page.preview.page_count == pages
            and not page.preview.busy
            and abs(page.preview.pixmaps()[0].width() - full_width / 2) <= 1
        ),
        timeout=WAIT_MS,
    )


def test_one_site(qtbot, page: ReturnsPage) -> None:
    page.site.setCurrentIndex(page.site.findData("RLH"))
    page.month.setCurrentIndex(1)
    _build(qtbot, page)
    assert page.documents is not None
    assert page.documents.model.month == Month(2026, 1)
    assert page.documents.model.overall.code == "RLH"
    assert page.summary.text().startswith("January 2026 · RLH · ")


# --- saving ------------------------------------------------------------------------------------


def test_save_writes_the_pdf_and_the_csv_beside_it(
    qtbot,
    page: ReturnsPage,
    shell: Shell,
    background: Background,
    prompts: FakePrompts,
    vault: TestVault,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    _build(qtbot, page)
    documents = page.documents
    assert documents is not None
    folder = tmp_path / "returns"
    folder.mkdir()
    dialog = FakeReturnFileDialog([folder / "february"])
    page.file_dialog = dialog
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS) as saved:
        page.save_button.click()
    assert dialog.suggested[0].name == "youthcase-return-2026-02-all-sites.pdf"
    assert saved.args == [folder / "february.pdf"]
    assert (folder / "february.pdf").read_bytes() == documents.pdf
    assert (folder / "february.csv").read_bytes() == documents.csv
    assert page.saved_note.text() == f"Saved february.pdf and february.csv in {folder}."
    assert prompts.asked == []  # nothing was there to replace

    # Again with the same name: the dialog asked about the PDF; the CSV is asked about here.
    dialog.answers = [folder / "february.pdf", folder / "february.pdf"]
    (folder / "february.csv").write_text("older")
    prompts.confirm_answers = [False]
    page.save_button.click()
    assert prompts.asked == [("confirm", f"february.csv already exists in {folder}. Replace it?")]
    assert (folder / "february.csv").read_text() == "older"
    assert dialog.suggested[1].parent == folder  # the next save starts where the last one went
    prompts.confirm_answers = [True]
    with qtbot.waitSignal(page.saved, timeout=WAIT_MS):
        page.save_button.click()
    assert (folder / "february.csv").read_bytes() == documents.csv

    # Producing the return was audited, once, for this return.
    _lock_and_settle(qtbot, shell, background)
    events = _export_events(vault, clock)
    assert [(e.entity, e.entity_id) for e in events] == [("monthly_return", documents.model.return_id)]


def test_save_problems_show_inline_and_cancelling_writes_nothing(qtbot, page: ReturnsPage, tmp_path: Path) -> None:
    _build(qtbot, page)
    folder = tmp_path / "returns"
    folder.mkdir()
    page.file_dialog = FakeReturnFileDialog([None, folder / "missing" / "march.pdf"])
    page.save_button.click()  # cancelled
    assert not page.error.text() and list(folder.iterdir()) == []
    page.save_button.click()
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=WAIT_MS)
    assert page.error.text() == f"PDF: the folder {folder / 'missing'} does not exist"
    assert list(folder.iterdir()) == []
    assert page.save_button.isEnabled()


def test_pdf_and_csv_names() -> None:
    assert pdf_path_for(Path("/r/march")) == Path("/r/march.pdf")
    assert pdf_path_for(Path("/r/march.PDF")) == Path("/r/march.PDF")
    assert pdf_path_for(Path("/r/march.v2")) == Path("/r/march.v2.pdf")
    assert csv_path_for(Path("/r/march.v2.pdf")) == Path("/r/march.v2.csv")


# --- locking -----------------------------------------------------------------------------------


def test_locking_drops_the_pdf_and_its_pages(qtbot, page: ReturnsPage, shell: Shell, background: Background) -> None:
    _build(qtbot, page)
    assert page.preview.page_count > 0
    shell.lock()
    assert page.documents is None
    assert page.preview.page_count == 0 and page.preview.pixmaps() == []
    assert page.month.count() == 0 and page.site.count() == 1
    assert not page.build_button.isEnabled()
    assert page.preview_stack.currentWidget() is page.empty
    assert background.wait_for_done(WAIT_MS)


def test_locking_during_a_build_cancels_it_and_nothing_is_audited(
    qtbot,
    page: ReturnsPage,
    shell: Shell,
    background: Background,
    vault: TestVault,
    clock: FakeClock,
    held_pdf: threading.Event,
) -> None:
    page.build_button.click()
    qtbot.waitUntil(lambda: page.progress_message.text() == "Drawing the PDF…", timeout=WAIT_MS)
    shell.lock()
    assert not page.building and not page.progress.isVisible()
    assert page.progress_message.text() == ""
    held_pdf.set()  # the service reports its next step, finds the build cancelled, rolls back
    assert background.wait_for_done(WAIT_MS)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert page.documents is None
    assert _export_events(vault, clock) == []


# --- who may produce a return ------------------------------------------------------------------


def test_an_administrator_may_produce_a_return(qtbot, open_returns, vault: TestVault) -> None:  # type: ignore[no-untyped-def]
    page = open_returns(vault.admin)
    _build(qtbot, page)
    assert page.documents is not None


def test_a_worker_never_sees_returns_and_the_service_refuses_anyway(
    qtbot,
    shell: Shell,
    vault: TestVault,
    clock: FakeClock,
    log_in: Callable[[Person], None],
    background: Background,
    prompts: FakePrompts,
) -> None:
    log_in(vault.worker)
    assert shell.workspace is not None
    assert Section.RETURNS not in shell.workspace.sections
    assert not shell.workspace.show_section(Section.RETURNS)
    assert not any(isinstance(p, ReturnsPage) for p in shell.workspace.pages.values())
    shell.lock()

    # Were the page ever put in front of a worker, the service would refuse and the page say so.
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        with pytest.raises(PermissionDenied, match="youth worker may not produce"):
            ReturnService(unlocked).produce(Month(2026, 2))
        page = ReturnsPage(RETURNS_SPEC, unlocked, background, prompts)  # type: ignore[arg-type]
        qtbot.addWidget(page)
        page.refresh()
        qtbot.waitUntil(lambda: page.site.count() == 5, timeout=WAIT_MS)
        page.build_button.click()
        qtbot.waitUntil(lambda: bool(page.error.text()), timeout=WAIT_MS)
        assert page.error.text() == "A youth worker may not produce the monthly return"
        assert page.documents is None and not page.building
        page.clear()
        assert background.wait_for_done(WAIT_MS)
