"""The monthly return: the model through disclosure control, the PDF, the CSV, the service and its
audit, and the leak test (sentinel personal data never reaches either file)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.helpers.access import new_vault
from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.returns import monthly_return
from youthcase.returns.csv_export import HEADER, formula_safe, render_csv
from youthcase.returns.disclosure import STANDARD, DisclosureRule
from youthcase.returns.kpis import Distribution, Month, Tally
from youthcase.returns.monthly_return import ALL_SITES, PERCENT, SiteColumn, build_return, methodology
from youthcase.returns.pdf import render_pdf
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.returns import AUDIT_ENTITY, ReturnDocuments, ReturnService
from youthcase.services.sites import SiteService
from youthcase.storage.models import AuditEvent

from . import return_scenario as rs


def _build(folder: Path) -> tuple[rs.Scenario, Any]:

    from .conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF

    location, clock = VaultLocation.parse(str(folder / "return.vault")), FakeClock()
    created = new_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    return rs.build(created.vault, location, clock), created.vault


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rs.Scenario]:
    """One scenario (SQLCipher file) for the tests that only read; the queries themselves are
    checked on both backends in test_kpis.py."""
    scenario, admin = _build(tmp_path_factory.mktemp("return"))
    yield scenario
    for vault in (scenario.supervisor, scenario.kch_worker, scenario.rlh_worker, admin):
        vault.lock()


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[rs.Scenario]:
    """A fresh scenario for the tests that change the vault or count its audit events."""
    built, admin = _build(tmp_path)
    yield built
    for vault in (built.supervisor, built.kch_worker, built.rlh_worker, admin):
        vault.lock()


@pytest.fixture(scope="module")
def march(shared: rs.Scenario) -> ReturnDocuments:
    return ReturnService(shared.supervisor).produce("2026-03")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- disclosure in the model, with larger numbers than the scenario has ---------------------------


class _FakeKpis:
    """Stands in for the queries: known unrounded figures at one site in the last month."""

    site = uuid.uuid4()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.window = args[1]

    def for_window(self, window: Any) -> _FakeKpis:
        return _FakeKpis(None, window)

    def close(self) -> None:
        pass

    def _tally(self, **categories: int) -> Tally:
        tally = Tally()
        for category, value in categories.items():
            tally.add(self.site, len(self.window) - 1, category, value)
        return tally

    def referrals_received(self) -> Tally:
        return self._tally(ed_staff=20, police=3)  # 23 in all: published 25

    def time_to_first_contact(self) -> Tally:
        return self._tally(within_24h=12, **{"24_to_48h": 3}, not_yet=8)

    def engagement(self) -> Tally:
        return self._tally(engaged=15, declined=8)

    def re_attendance(self) -> Tally:
        return self._tally(re_attendance=2, first_in_12_months=21)

    def caseload_flow(self) -> Any:
        from youthcase.returns.kpis import CaseloadFlow

        return CaseloadFlow(
            self._tally(opened=23, closed=9), self._tally(goals_met=9), self._tally(**{"": 40}), self._tally(**{"": 26})
        )

    def length_of_support(self) -> Distribution:
        distribution = Distribution()
        for days in (10, 20, 30, 40, 50, 60, 70, 80, 90):
            distribution.add(self.site, len(self.window) - 1, days)
        return distribution

    def contacts(self, by_medium: bool = True) -> Any:
        from youthcase.returns.kpis import ContactFigures

        medium = "phone" if by_medium else ""
        return ContactFigures(
            self._tally(**{medium: 30}), self._tally(**{medium: 25}), self._tally(**{"": 6}), self._tally(**{"": 600})
        )

    def referrals_out(self) -> Any:
        from youthcase.returns.kpis import ReferralsOut

        return ReferralsOut(self._tally(camhs=9), self._tally(sent=9))

    def days_to_help_started(self) -> dict[str, Distribution]:
        camhs = Distribution()
        camhs.add(self.site, len(self.window) - 1, 30, times=5)
        return {"camhs": camhs}

    def safeguarding(self) -> Any:
        from youthcase.returns.kpis import SafeguardingFigures

        return SafeguardingFigures(self._tally(gang=10), self._tally(gang=9), self._tally(police=9))

    def outcomes_at_closure(self) -> Any:
        from youthcase.returns.kpis import NeedsFigures, OutcomeFigures

        return OutcomeFigures(
            self._tally(reduced=8, same=0, not_assessed_twice=1),
            NeedsFigures(self._tally(housing=12), self._tally(housing=4)),
        )

    def incidents(self) -> Any:
        from youthcase.returns.kpis import IncidentFigures

        return IncidentFigures(
            self._tally(knife=23), self._tally(street=23), self._tally(**{"5": 23}), self._tally(**{"18-23": 23})
        )

    def new_case_profile(self) -> Any:
        from youthcase.returns.kpis import ProfileFigures

        return ProfileFigures(self._tally(**{"14-17": 23}), self._tally(**{"1": 20, "2": 3}), self._tally(Black=23))


def test_every_figure_goes_through_disclosure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monthly_return, "Kpis", _FakeKpis)
    site = _FakeKpis.site
    columns = [SiteColumn(ALL_SITES, "All sites", None), SiteColumn("KCH", "King's", site)]
    model = build_return(
        None,  # type: ignore[arg-type]
        Month(2026, 3),
        columns,
        STANDARD,
        dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
        "7:ab",
        uuid.uuid4(),
    )
    month = Month(2026, 3)

    def value(measure: str, breakdown: str = "", unit: str = "count", column: str = ALL_SITES) -> str:
        return model.find(measure, breakdown, unit).value(column, month).text

    assert value("Referrals received") == "25" == value("Referrals received", column="KCH")
    assert value("Referrals received", "Referral source: Police") == "*"
    assert value("Referrals received", "Referral source: Self-referral") == "0"
    # 12 of 23 within 24 hours: 10 of 25 published, so 40% (from the rounded figures, not 52%).
    assert value("Contacted within 24 hours") == "10"
    assert value("Contacted within 24 hours", unit=PERCENT) == "40%"
    assert value("Contacted within 48 hours", unit=PERCENT) == "60%"  # 15 of 25
    assert value("Re-attendances within 12 months", unit=PERCENT) == "*"  # numerator 2
    assert value("Engagement outcome", "Outcome: Declined", PERCENT) == "40%"  # 8 -> 10 of 25
    assert value("Median length of support (days)", unit="median days") == "50"  # 9 closures
    assert value("Median days waiting: CAMHS", unit="median days") == "*"  # 5 referrals behind it
    assert value("Median days waiting: rehabilitation", unit="median days") == "-"
    assert value("Hours of direct work", unit="hours") == "*"  # 10 hours, but from 6 contacts
    assert value("Open caseload at month end") == "40" and value("Open at start of month") == "25"
    assert value("Concerns shared with another agency", unit=PERCENT) == "100%"  # 9 and 10: both 10
    assert value("Risk change, first to last assessment", "Risk: Reduced", PERCENT) == "100%"  # 8 of 8
    assert value("Needs met", "Met: Housing", PERCENT) == "*"  # 4 met: suppressed
    assert value("Sex", "Sex: Female") == "*" and value("Sex", "Sex: Male") == "20"
    assert value("Day of week of the assault", "Day: Friday") == "25"
    assert value("Referrals received", column="KCH") == "25"
    # The trend lines carry every month; the rest only the month of the return.
    received = model.find("Referrals received")
    assert len(received.values) == 2 * 12 and received.value(ALL_SITES, Month(2025, 4)).text == "0"
    assert len(model.find("Sex", "Sex: Male").values) == 2


def test_a_stricter_rule_suppresses_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monthly_return, "Kpis", _FakeKpis)
    columns = [SiteColumn("KCH", "King's", _FakeKpis.site)]
    strict = DisclosureRule(max_suppressed=10, rounding_base=10)
    model = build_return(
        None,  # type: ignore[arg-type]
        Month(2026, 3),
        columns,
        strict,
        dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
        "7:ab",
        uuid.uuid4(),
    )
    line = model.find("Referrals received")
    assert line.value("KCH", Month(2026, 3)).text == "20"  # 23 to the nearest 10
    assert model.find("Safeguarding concerns raised").value("KCH", Month(2026, 3)).text == "*"  # 10
    assert any("1 to 10" in text for note in methodology(strict) for text in note.paragraphs)


def test_methodology_lists_every_definition_once() -> None:
    from youthcase.returns.kpis import DEFINITIONS

    notes = methodology(STANDARD)
    listed = [title for note in notes for title, _ in note.definitions]
    assert listed == [d.title for group in DEFINITIONS for d in group.definitions]
    assert len(set(listed)) == len(listed)
    assert STANDARD.describe() in notes[1].paragraphs


# --- the documents from the scenario ---------------------------------------------------------------


def test_the_pdf_opens_renders_and_its_text_is_searchable(march: ReturnDocuments, tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(march.pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Anonymised monthly return, March 2026"
    assert reader.metadata.author and "youthcase" in reader.metadata.author
    text = pdf_text(march.pdf)
    for expected in (
        "Anonymised monthly return",
        "March 2026",
        "King's College Hospital",
        "Headline figures",
        "Referrals received",
        "12-month trend",
        "Methodology and definitions",
        "Open caseload at month end",
        march.model.chain_head[:20],
        "Page 1 of",
        STANDARD.describe()[:60],
    ):
        assert expected in text.replace("\n", " "), expected
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in text
    if shutil.which("pdftoppm"):
        (tmp_path / "r.pdf").write_bytes(march.pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "20", "-f", "1", "-l", "2", str(tmp_path / "r.pdf"), str(tmp_path / "page")],
            check=True,
            capture_output=True,
        )
        rendered = sorted(tmp_path.glob("page-*.png"))
        assert len(rendered) == 2 and all(p.stat().st_size > 1000 for p in rendered)


def test_the_csv_is_tidy_and_shows_the_same_values(march: ReturnDocuments) -> None:
    rows = csv_rows(march.csv)
    assert tuple(rows[0]) == HEADER
    assert {row["unit"] for row in rows} == {"text", "count", "percent", "median days", "hours"}
    month = Month(2026, 3)
    for line in march.model.lines():
        for _column, key in line.values:
            assert key <= month.key
    by_key = {(r["measure"], r["breakdown"], r["site"], r["month"], r["unit"]): r["value"] for r in rows}
    assert by_key["Referrals received", "", "ALL", "2026-03", "count"] == "*"  # 3 referrals
    assert by_key["Referrals received", "", "SGH", "2026-03", "count"] == "0"
    assert by_key["Referrals received", "", "KCH", "2025-04", "count"] == "0"  # the trend
    assert by_key["Median days waiting: CAMHS", "", "SGH", "2026-03", "median days"] == ""  # nothing
    assert by_key["Contacted within 24 hours", "", "ALL", "2026-03", "percent"] == "*"
    head = next(r for r in rows if r["measure"] == "Audit chain head")
    assert head["value"] == march.model.chain_head
    # Same number of figures as the model holds.
    figures = sum(len(line.values) for line in march.model.lines())
    assert len([r for r in rows if r["section"] != "About"]) == figures


def test_csv_cells_are_formula_safe(scenario: rs.Scenario) -> None:
    assert formula_safe("=1+1") == "'=1+1" and formula_safe("@SUM(A1)") == "'@SUM(A1)"
    assert formula_safe("+44") == "'+44" and formula_safe("-3") == "'-3" and formula_safe("*") == "*"
    SiteService(scenario.admin).add_emergency_department("NMH", '=HYPERLINK("http://x")')
    rows = csv_rows(ReturnService(scenario.admin).produce("2026-03").csv)
    sites = next(r for r in rows if r["measure"] == "Sites")["value"]
    assert "NMH =HYPERLINK" in sites  # inside the cell, not at its start: harmless
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), row


def test_nothing_personal_reaches_the_return(march: ReturnDocuments, shared: rs.Scenario) -> None:
    dob = rs.SENTINEL_DOB
    sentinels = [
        rs.SENTINEL_GIVEN,
        rs.SENTINEL_FAMILY,
        rs.SENTINEL_NHS,
        "943 476 5919",
        rs.SENTINEL_POSTCODE,
        "SE15",
        rs.SENTINEL_NOTE,
        rs.SENTINEL_PLACE,
        "Obsidian",
        "07700 900123",
        dob.isoformat(),
        dob.strftime("%d/%m/%Y"),
        f"{dob.day} {dob:%B %Y}",
        "23 July",
        # exact dates and times of the cases
        "2026-03-29",
        "29 March",
        "29/03/2026",
        "2026-02-27",
        "27 February",
        "2026-03-31",
        "31 March",
        "2026-03-05",
        "5 March",
        "01:30",
        "02:30",
        "22:30",
        "KCH-26-",
        "RLH-26-",
        "wanda",
    ]
    text = pdf_text(march.pdf)
    content = march.csv.decode("utf-8-sig")
    raw = march.pdf + march.csv
    for sentinel in sentinels:
        assert sentinel.lower() not in text.lower(), sentinel
        assert sentinel.lower() not in content.lower(), sentinel
        assert sentinel.encode() not in raw, sentinel
    # ... and the single-site return neither.
    kch = ReturnService(shared.supervisor).produce("2026-03", site="kch")
    for sentinel in sentinels:
        assert sentinel.lower() not in pdf_text(kch.pdf).lower() + kch.csv.decode("utf-8-sig").lower()


def test_a_single_site_return_has_that_site_only(march: ReturnDocuments, shared: rs.Scenario) -> None:
    kch = ReturnService(shared.admin).produce(Month(2026, 3), site="KCH")
    assert [c.code for c in kch.model.columns] == ["KCH"]
    assert {r["site"] for r in csv_rows(kch.csv)} == {"KCH"}
    for line in kch.model.lines():
        assert line.value("KCH", Month(2026, 3)) == march.model.find(line.measure, line.breakdown, line.unit).value(
            "KCH", Month(2026, 3)
        )


# --- the service -------------------------------------------------------------------------------------


def test_workers_may_not_produce_returns(shared: rs.Scenario) -> None:
    with pytest.raises(PermissionDenied, match="may not produce the monthly return"):
        ReturnService(shared.kch_worker).produce("2026-03")


def test_producing_is_audited_and_saving_is_atomic(shared: rs.Scenario, tmp_path: Path) -> None:
    service = ReturnService(shared.admin)
    documents = service.produce("2026-03")
    with shared.admin.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == documents.model.return_id)).one()
    assert event.action == "export" and event.entity == AUDIT_ENTITY
    assert event.user_id == shared.admin.actor.user_id
    assert int(documents.model.chain_head.split(":")[0]) == event.sequence - 1
    pdf, csv_file = tmp_path / "out" / "r.pdf", tmp_path / "out" / "r.csv"
    (tmp_path / "out").mkdir()
    service.save(documents, pdf, csv_file)
    assert pdf.read_bytes() == documents.pdf and csv_file.read_bytes() == documents.csv
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r.csv", "r.pdf"]  # no temp files left
    with pytest.raises(InvalidInput, match="different"):
        service.save(documents, pdf, pdf)
    with pytest.raises(InvalidInput, match="does not exist"):
        service.save(documents, tmp_path / "missing" / "r.pdf", None)


@pytest.mark.parametrize(
    ("month", "site", "message"),
    [
        ("2026-3", None, "YYYY-MM"),
        ("March", None, "YYYY-MM"),
        ("2026-13", None, "YYYY-MM"),
        ("2026-06", None, "June 2026 has not started"),
        ("2026-03", "XYZ", "no site 'XYZ'; use one of KCH"),
    ],
)
def test_clear_refusals(shared: rs.Scenario, month: str, site: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        ReturnService(shared.admin).produce(month, site=site)


def test_progress_is_reported_for_a_progress_bar(shared: rs.Scenario) -> None:
    seen: list[tuple[float, str]] = []
    ReturnService(shared.admin).produce("2026-03", progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert len(seen) > 10 and all(m for _, m in seen)


def test_a_progress_callback_can_cancel(shared: rs.Scenario) -> None:
    class Cancelled(Exception):
        pass

    def cancel(fraction: float, message: str) -> None:
        if fraction > 0.3:
            raise Cancelled()

    def exports() -> int:
        with shared.admin.session() as session:
            return len(session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all())

    before = exports()
    with pytest.raises(Cancelled):
        ReturnService(shared.admin).produce("2026-03", progress=cancel)
    assert exports() == before


def test_docs_returns_md_has_the_current_definitions() -> None:
    from youthcase.returns.monthly_return import methodology_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "returns.md").read_text(encoding="utf-8")
    generated = doc.split("<!-- GENERATED: python -m youthcase.returns.monthly_return -->\n\n", 1)[1]
    assert generated.split("<!-- END GENERATED -->")[0] == methodology_markdown(), (
        "regenerate the definitions in docs/returns.md: python -m youthcase.returns.monthly_return"
    )


def test_a_partial_month_says_so_in_the_pdf_and_the_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """The current month could be produced while nothing said that its figures would still change."""
    monkeypatch.setattr(monthly_return, "Kpis", _FakeKpis)
    columns = [SiteColumn(ALL_SITES, "All sites", None), SiteColumn("KCH", "King's", _FakeKpis.site)]
    produced = dt.datetime(2026, 3, 15, 13, 30, tzinfo=dt.UTC)
    model = build_return(None, Month(2026, 3), columns, STANDARD, produced, "7:ab", uuid.uuid4())  # type: ignore[arg-type]
    assert model.partial and model.title.endswith("(partial month)")
    period = "March 2026, partial: figures to 15 March 2026 13:30 (the month has not ended)"
    assert [row["value"] for row in csv_rows(render_csv(model)) if row["measure"] == "Period"] == [period]
    assert "partial: figures to 15 March 2026" in pdf_text(render_pdf(model))
    ended = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    finished = build_return(None, Month(2026, 3), columns, STANDARD, ended, "7:ab", uuid.uuid4())  # type: ignore[arg-type]
    assert not finished.partial and "partial" not in finished.title


class _OneServiceWithheld(_FakeKpis):
    def referrals_out(self) -> Any:
        from youthcase.returns.kpis import ReferralsOut

        return ReferralsOut(self._tally(camhs=3, rehabilitation=20), self._tally(sent=23))


def test_the_withheld_mark_sits_on_its_own_bar_of_the_services_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    """CAMHS (first service, the top bar) is withheld: its * was drawn on the bottom bar."""
    from reportlab.graphics.shapes import String

    from youthcase.returns.pdf import _services_chart

    monkeypatch.setattr(monthly_return, "Kpis", _OneServiceWithheld)
    columns = [SiteColumn(ALL_SITES, "All sites", None), SiteColumn("KCH", "King's", _FakeKpis.site)]
    ended = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)
    model = build_return(None, Month(2026, 3), columns, STANDARD, ended, "7:ab", uuid.uuid4())  # type: ignore[arg-type]
    drawing = _services_chart(model, 480)
    (chart,) = [shape for shape in drawing.contents if hasattr(shape, "categoryAxis")]
    (star,) = [shape for shape in drawing.contents if isinstance(shape, String) and shape.text == "*"]
    slot = chart.height / len(chart.data[0])
    assert chart.y + chart.height - slot <= star.y <= chart.y + chart.height  # the top slot: CAMHS
