"""Importing cases from a CSV: all or nothing, idempotent, returning people, refusals, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.helpers.access import new_vault
from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.domain import codes
from youthcase.domain.roles import Role
from youthcase.domain.validation import nhs_number_check_digit_ok
from youthcase.services import case_import
from youthcase.services.case_import import (
    OPTIONAL_COLUMNS,
    TEMPLATE_COLUMNS,
    CaseImport,
    ImportInvalid,
    ImportRefused,
    RowStatus,
)
from youthcase.services.cases import CaseService
from youthcase.services.errors import PermissionDenied
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import CaseEpisode, YoungPerson

from .conftest import ADMIN_PASSWORD, FAST_KDF, add_account, unlock_with_changed_password

GOOD: dict[str, str] = {
    "given_name": "Jamal",
    "family_name": "Okafor",
    "date_of_birth": "2009-05-17",
    "nhs_number": "943 476 5919",
    "postcode": "SE15 4QL",
    "sex": "1",
    "ethnicity": "African",
    "borough": "Southwark",
    "site": "KCH",
    "arrival_datetime": "2026-02-28 21:30",
    "referral_source": "ed_staff",
    "assault_datetime": "2026-02-28 20:45",
    "assault_method": "Knife",
    "assault_location_type": "street",
    "assault_location_description": "Rye Lane bus stop",
    "notes": "Brought in by ambulance.",
}


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def csv_bytes(
    rows: Sequence[dict[str, str]], columns: Sequence[str] = TEMPLATE_COLUMNS, bom: bool = True, delimiter: str = ","
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def where(error: ImportInvalid) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in error.problems}


def count(vault: UnlockedVault, model: Any) -> int:
    with vault.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- a worker on both backends ---------------------------------------------------------------------


@pytest.fixture
def people(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    vaults = {"admin": admin_vault}
    for name, role in (("wanda", Role.WORKER), ("sam", Role.SUPERVISOR)):
        add_account(admin_vault, name, role, f"{name} temporary password", ("KCH",))
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    return vaults


def test_import_assigns_to_the_importer_and_a_rerun_imports_nothing_twice(people: dict[str, UnlockedVault]) -> None:
    data = csv_bytes(
        [
            row(),
            row(given_name="Ade", family_name="Bello", nhs_number="", date_of_birth="2008-01-02"),
            row(),
        ]
    )
    # Keys v2: a worker opens cases only at sites they are admitted to (whose supervisors can then
    # reach them), so both rows are at KCH.
    result = CaseImport(people["wanda"]).import_file(data)
    assert (result.imported, result.already_imported, result.repeated_in_file) == (2, 0, 1)
    assert result.references == ["KCH-26-00001", "KCH-26-00002"]
    caseload = CaseService(people["wanda"]).caseload()
    assert sorted(r.reference for r in caseload) == result.references
    assert {r.worker for r in caseload} == {"wanda"}
    detail = CaseService(people["wanda"]).case_detail(caseload[0].case_id)
    assert detail.person.values["nhs_number"] in {"9434765919", None}

    again = CaseImport(people["wanda"]).import_file(data)
    assert (again.imported, again.already_imported, again.repeated_in_file) == (0, 2, 1)
    # The same values written differently (labels, case, spacing, T) are the same row.
    relabelled = csv_bytes(
        [
            row(
                ethnicity="n",
                borough="southwark",
                assault_method="knife",
                nhs_number="9434765919",
                arrival_datetime="2026-02-28T21:30",
            )
        ]
    )
    assert CaseImport(people["sam"]).import_file(relabelled).already_imported == 1
    assert count(people["admin"], CaseEpisode) == 2


def test_one_bad_row_among_good_ones_imports_nothing(people: dict[str, UnlockedVault]) -> None:
    data = csv_bytes(
        [
            row(),
            row(date_of_birth="17/05/2009", sex="boy"),
            row(given_name="Kofi"),
            row(nhs_number="943 476 5918", given_name="Liam"),
        ]
    )
    with pytest.raises(ImportInvalid) as caught:
        CaseImport(people["wanda"]).import_file(data)
    assert where(caught.value) == {(3, "date_of_birth"), (3, "sex"), (5, "nhs_number")}
    assert "3 problems in 2 rows" in str(caught.value) and "nothing was imported" in str(caught.value)
    assert "regional format" in next(p.reason for p in caught.value.problems if p.column == "date_of_birth")
    assert count(people["admin"], CaseEpisode) == 0 and count(people["admin"], YoungPerson) == 0


def test_returning_young_people_are_attached_not_duplicated(people: dict[str, UnlockedVault]) -> None:
    importer = CaseImport(people["wanda"])
    assert importer.import_file(csv_bytes([row()])).returning_matched == 0
    later = "2026-02-28 23:50"
    second = csv_bytes(
        [
            row(arrival_datetime=later),  # same NHS number
            row(
                nhs_number="",
                given_name="OKAFOR",
                family_name="Jamál",
                arrival_datetime="2026-02-27 10:00",
                assault_datetime="",
            ),  # name and date of birth, typed differently
            # A namesake born the same day, with another NHS number:
            row(nhs_number="401 023 2137", arrival_datetime="2026-02-26 10:00", assault_datetime=""),
            row(
                given_name="Zoë",
                family_name="O'Brien",
                nhs_number="",
                date_of_birth="2010-10-10",
                sex="2",
                arrival_datetime="2026-02-20 19:00",
                assault_datetime="",
            ),
            row(
                given_name="zoe",
                family_name="obrien",
                nhs_number="",
                date_of_birth="2010-10-10",
                sex="2",
                arrival_datetime="2026-02-25 19:00",
                assault_datetime="",
            ),  # earlier row of the file
        ]
    )
    preview = importer.preview(second)
    assert preview.ok and [r.returning for r in preview.rows] == [True, True, False, False, True]
    result = importer.import_file(second)
    assert (result.imported, result.returning_matched) == (5, 3)
    assert count(people["admin"], YoungPerson) == 3  # Jamal, his namesake, Zoë
    assert count(people["admin"], CaseEpisode) == 6


def test_a_worker_and_a_supervisor_may_import_an_administrator_may_not(people: dict[str, UnlockedVault]) -> None:
    data = csv_bytes([row()])
    for action in (CaseImport(people["admin"]).preview, CaseImport(people["admin"]).import_file):
        with pytest.raises(PermissionDenied):
            action(data)
    assert CaseImport(people["sam"]).import_file(data).imported == 1
    # A supervisor sees cases by site: one they do not supervise would vanish from their caseload.
    elsewhere = CaseImport(people["sam"]).preview(csv_bytes([row(site="RLH", given_name="Kofi")]))
    assert [(p.row, p.column) for p in elsewhere.problems] == [(2, "site")]
    assert "you supervise KCH" in elsewhere.problems[0].reason
    # Keys v2: so does a worker, at a site they are not admitted to.
    refused = CaseImport(people["wanda"]).preview(csv_bytes([row(site="RLH", given_name="Kofi")])).problems
    assert "you are admitted to KCH" in refused[0].reason


def test_preview_shows_parsed_values_and_statuses_without_writing(people: dict[str, UnlockedVault]) -> None:
    importer = CaseImport(people["wanda"])
    importer.import_file(csv_bytes([row()]))
    calls: list[tuple[int, int]] = []
    data = csv_bytes(
        [row(), row(given_name="Kofi", nhs_number=""), row(given_name="Kofi", nhs_number=""), row(sex="Q")]
    )
    preview = importer.preview(data, progress=lambda done, total: calls.append((done, total)))
    assert [r.status for r in preview.rows] == [
        RowStatus.ALREADY_IMPORTED,
        RowStatus.NEW,
        RowStatus.REPEATED,
        RowStatus.INVALID,
    ]
    assert preview.rows[2].repeats_row == 3
    kofi = preview.rows[1].values
    assert kofi is not None and kofi["ethnicity"] == "N" and kofi["assault_method"] == "knife"
    assert kofi["arrival_datetime"] == dt.datetime(2026, 2, 28, 21, 30, tzinfo=dt.UTC)  # GMT in February
    assert preview.rows[3].values is None and preview.rows[3].cells["sex"] == "Q"
    assert [(p.row, p.column) for p in preview.problems] == [(5, "sex")]
    assert calls[-1] == (4, 4) and calls == sorted(calls)
    assert count(people["admin"], CaseEpisode) == 1


# --- the file itself (one file vault for the module: preview writes nothing) ----------------------


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UnlockedVault]:
    location = VaultLocation.parse(str(tmp_path_factory.mktemp("import") / "v.vault"))
    clock = FakeClock()
    admin = new_vault(location, "admin", ADMIN_PASSWORD, FAST_KDF, clock).vault
    add_account(admin, "wanda", Role.WORKER, "wanda temporary password", ("KCH",))
    admin.lock()
    vault = unlock_with_changed_password(location, clock, "wanda", "wanda temporary password")
    yield vault
    vault.lock()


def problems_of(vault: UnlockedVault, data: bytes) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in CaseImport(vault).preview(data).problems}


def test_header_is_matched_loosely_and_checked_up_front(worker: UnlockedVault) -> None:
    loose = [f"  {c.upper()} " for c in TEMPLATE_COLUMNS]
    text = csv_bytes([], loose).decode("utf-8-sig") + ",".join(GOOD.values()) + "\r\n"
    assert CaseImport(worker).preview(text.encode()).ok
    columns = [c for c in TEMPLATE_COLUMNS if c not in {"sex", "notes"}] + ["date of birth", "colour"]
    preview = CaseImport(worker).preview(csv_bytes([row()], columns))
    reasons = {(p.row, p.column): p.reason for p in preview.problems}
    assert set(reasons) == {(1, "sex"), (1, "notes"), (1, "date of birth"), (1, "colour")}
    assert "did you mean date_of_birth" in reasons[(1, "date of birth")]
    assert "missing column" in reasons[(1, "sex")]
    assert [r.status for r in preview.rows] == [RowStatus.INVALID]  # rows wait for a good header
    twice = CaseImport(worker).preview(csv_bytes([row()], [*TEMPLATE_COLUMNS, "SEX"]))
    assert [(p.row, p.column) for p in twice.problems] == [(1, "sex")]


def test_optional_columns_semicolons_and_no_bom(worker: UnlockedVault) -> None:
    columns = [*TEMPLATE_COLUMNS, *OPTIONAL_COLUMNS]
    full = row(
        preferred_name="Jay",
        estimated_age="",
        phone="07700 900123",
        address="1 High St",
        assault_method="other",
        assault_method_other="Dog set on him",
        injury_description="Bites",
    )
    preview = CaseImport(worker).preview(csv_bytes([full], columns, bom=False, delimiter=";"))
    assert preview.ok
    values = preview.rows[0].values
    assert values is not None and values["assault_method_other"] == "Dog set on him"
    other = CaseImport(worker).preview(csv_bytes([row(assault_method="Other")]))
    assert [(p.row, p.column) for p in other.problems] == [(2, "assault_method_other")]
    assert "add the optional column" in other.problems[0].reason


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(worker: UnlockedVault) -> None:
    text = csv_bytes([row(notes="line one\r\nline two")]).decode("utf-8-sig")
    text += "\r\n" + "," * 15 + "\r\n" + ",".join(row(sex="Q").values()) + "\r\n"
    preview = CaseImport(worker).preview(text.encode())
    assert [(p.row, p.column) for p in preview.problems] == [(5, "sex")]
    values = preview.rows[0].values
    assert values is not None and values["notes"] == "line one\nline two"
    extra = csv_bytes([row()]).decode().rstrip("\r\n") + ",surprise\r\n"
    assert problems_of(worker, extra.encode()) == {(2, "column 17")}
    broken = csv_bytes([row()]).decode() + '"unterminated,quote\r\n'
    assert problems_of(worker, broken.encode()) == {(3, None)}
    assert problems_of(worker, b'"given_name,family_name\r\n') == {(1, None)}
    gap = csv_bytes([row()], [*TEMPLATE_COLUMNS[:2], "", *TEMPLATE_COLUMNS[2:]]).decode()
    gap = gap.replace(",Okafor,,", ",Okafor,stray,", 1)
    assert problems_of(worker, gap.encode()) == {(2, "column 3")}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (csv_bytes([row(given_name="Zoë")], bom=False).decode("utf-8").encode("cp1252"), "not UTF-8"),
        ("\ufeff".encode("utf-16-le") + "given_name".encode("utf-16-le"), "UTF-16"),
        (b"PK\x03\x04 workbook", "Excel workbook"),
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b",,,\r\nJamal", "header"),
    ],
)
def test_files_that_are_not_csv_utf8_are_refused_with_advice(worker: UnlockedVault, data: bytes, fragment: str) -> None:
    with pytest.raises(ImportRefused, match=fragment) as caught:
        CaseImport(worker).preview(data)
    if fragment not in {"empty", "header"}:
        assert "CSV UTF-8" in str(caught.value)


def test_files_over_the_limit_are_refused(
    worker: UnlockedVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_import, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([row()] * 10))
    with pytest.raises(ImportRefused, match="at most"):
        CaseImport(worker).preview(path)
    with pytest.raises(ImportRefused, match="at most"):
        CaseImport(worker).import_file(path.read_bytes())


# --- properties --------------------------------------------------------------------------------------

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def single_problem_column(vault: UnlockedVault, **changes: str) -> set[tuple[int | None, str | None]]:
    return problems_of(vault, csv_bytes([row(**changes)]))


def _not_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return bool(text.strip())
    return False


@FAST
@given(
    st.one_of(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=30),
        st.from_regex(r"\A[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\Z"),
        st.from_regex(r"\A[0-9]{4}-(1[3-9]|00)-[0-9]{2}\Z"),
    ).filter(_not_iso_date)
)
def test_malformed_dates_are_reported_on_their_column(worker: UnlockedVault, text: str) -> None:
    assert (2, "date_of_birth") in single_problem_column(worker, date_of_birth=text)


@FAST
@given(
    st.from_regex(r"\A[0-9]{10}\Z").filter(lambda d: not nhs_number_check_digit_ok(d))
    | st.from_regex(r"\A[0-9]{1,9}\Z")
    | st.from_regex(r"\A[0-9]{11,14}\Z")
)
def test_bad_nhs_numbers_are_reported(worker: UnlockedVault, digits: str) -> None:
    assert single_problem_column(worker, nhs_number=digits) == {(2, "nhs_number")}


CODE_COLUMNS = {
    "sex": codes.SEX,
    "ethnicity": codes.ETHNICITY,
    "borough": codes.BOROUGH,
    "referral_source": codes.REFERRAL_SOURCE,
    "assault_method": codes.ASSAULT_METHOD,
    "assault_location_type": codes.ASSAULT_LOCATION_TYPE,
}


@FAST
@given(
    st.sampled_from(sorted(CODE_COLUMNS)),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=300),
)
def test_unknown_codes_are_reported_on_their_column(worker: UnlockedVault, column: str, text: str) -> None:
    if not text.strip() or CODE_COLUMNS[column].lookup(text) is not None:
        return
    problems = CaseImport(worker).preview(csv_bytes([row(**{column: text})])).problems
    assert {(p.row, p.column) for p in problems} <= {(2, column)} and problems
    assert all(len(p.reason) < 600 for p in problems)


@FAST
@given(st.sampled_from(sorted(CODE_COLUMNS)), st.data())
def test_codes_and_labels_in_any_case_are_accepted(worker: UnlockedVault, column: str, data: st.DataObject) -> None:
    item = data.draw(st.sampled_from(CODE_COLUMNS[column].codes))
    text = data.draw(st.sampled_from([item.code, item.label, item.label.upper(), f"  {item.label.lower()} "]))
    if column == "assault_method" and item.code == "other":
        return  # needs its description column
    preview = CaseImport(worker).preview(csv_bytes([row(**{column: text})]))
    assert preview.ok, preview.problems
    assert preview.rows[0].values is not None and preview.rows[0].values[column] == item.code


NAME_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=150)


@FAST
@given(NAME_TEXT)
def test_unicode_and_huge_names_are_kept_exactly_or_refused_clearly(worker: UnlockedVault, name: str) -> None:
    preview = CaseImport(worker).preview(csv_bytes([row(given_name=name)]))
    stripped = name.strip()
    values = preview.rows[0].values
    if values is not None:
        assert values["given_name"] == stripped and 0 < len(stripped) <= 100
    else:
        assert [(p.row, p.column) for p in preview.problems] == [(2, "given_name")]
        assert len(stripped) > 100 or not stripped or stripped[0] in "=+-@"


FORMULA = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["=", "+", "-", "@"]),
    st.sampled_from(
        ['HYPERLINK("http://evil.example","Click")', "cmd|'/c calc'!A1", "SUM(A1:A9)", "44 20 7946 0000", ""]
    ),
)


@FAST
@given(FORMULA)
def test_formula_looking_names_are_refused_and_notes_kept_verbatim(worker: UnlockedVault, formula: str) -> None:
    assert single_problem_column(worker, family_name=formula) == {(2, "family_name")}
    preview = CaseImport(worker).preview(csv_bytes([row(notes=formula)]))
    assert preview.ok and preview.rows[0].values is not None
    assert preview.rows[0].values["notes"] == formula


@FAST
@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\x00"), min_size=1, max_size=25_000))
def test_notes_of_any_text_and_size_are_kept_or_refused_clearly(worker: UnlockedVault, notes: str) -> None:
    preview = CaseImport(worker).preview(csv_bytes([row(notes=notes)]))
    values = preview.rows[0].values
    if values is not None:
        assert values["notes"] == (notes.strip() or None)
    else:
        assert [(p.row, p.column) for p in preview.problems] == [(2, "notes")]


# --- the command line ----------------------------------------------------------------------------


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli_vault(tmp_path: Path) -> str:
    db = str(tmp_path / "cli.vault")
    code, out, _ = run("init", "--db", db, "--admin", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 0
    recovery_key = out.strip().splitlines()[-1]
    assert (
        run(
            "users",
            "add",
            "--db",
            db,
            "--user",
            "admin",
            "--password-stdin",
            "--new-user",
            "wanda",
            "--role",
            "worker",
            "--site",
            "KCH",
            stdin=f"{ADMIN_PASSWORD}\nwanda temporary pass\n",
        )[0]
        == 0
    )
    assert (
        run(
            "users",
            "passwd",
            "--db",
            db,
            "--user",
            "wanda",
            "--password-stdin",
            stdin="wanda temporary pass\nwanda chose this phrase\n",
        )[0]
        == 0
    )
    grant = ("users", "grant", "--db", db, "--recovery-key-stdin", "--target-user", "wanda", "--site", "KCH")
    assert run(*grant, stdin=recovery_key + "\n")[0] == 0
    return db


def test_cli_import_reports_every_problem_then_imports_once(cli_vault: str, tmp_path: Path) -> None:
    # The CLI's clock is the real one: arrivals a day ago are not in the future.
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    born = yesterday.date().replace(year=yesterday.year - 16, day=1)
    when = {"arrival_datetime": yesterday.isoformat(), "assault_datetime": "", "date_of_birth": born.isoformat()}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(**when), row(**when, sex="boy"), {**row(**when), "date_of_birth": "2009-13-01"}]))
    login = ("--db", cli_vault, "--user", "wanda", "--password-stdin")
    code, out, err = run("import", *login, str(bad), stdin="wanda chose this phrase\n")
    lines = err.splitlines()
    assert code == 2 and out == ""
    assert lines[0].startswith("row 3, sex: ") and lines[1].startswith("row 4, date_of_birth: ")
    assert (
        lines[2]
        == ("youthcase: error: 2 problems in 2 rows; nothing was imported: correct the file and import it again")
        and len(lines) == 3
    )

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row(**when), row(**when, given_name="Kofi", nhs_number="")]))
    code, out, err = run("import", *login, str(good), stdin="wanda chose this phrase\n")
    assert code == 0, err
    assert out.splitlines() == ["imported: 2", "already imported: 0", "returning young people matched: 0"]
    code, out, _ = run("import", *login, str(good), stdin="wanda chose this phrase\n")
    assert code == 0 and out.splitlines()[:2] == ["imported: 0", "already imported: 2"]


def test_cli_import_refusals_are_one_line(cli_vault: str, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([row()]))
    code, _, err = run(
        "import", "--db", cli_vault, "--user", "admin", "--password-stdin", str(path), stdin=ADMIN_PASSWORD + "\n"
    )
    assert code == 8 and err.count("\n") == 1 and "may not import cases" in err
    code, _, err = run(
        "import",
        "--db",
        cli_vault,
        "--user",
        "wanda",
        "--password-stdin",
        str(tmp_path / "absent.csv"),
        stdin="wanda chose this phrase\n",
    )
    assert code == 2 and err.count("\n") == 1 and "no file" in err
    path.write_bytes("given_name\r\nZoë\r\n".encode("cp1252"))
    code, _, err = run(
        "import", "--db", cli_vault, "--user", "wanda", "--password-stdin", str(path), stdin="wanda chose this phrase\n"
    )
    assert code == 2 and err.count("\n") == 1 and "CSV UTF-8" in err


def test_the_readme_example_and_the_template_import(worker: UnlockedVault) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    preview = CaseImport(worker).preview(example.encode())
    assert preview.ok, preview.problems
    assert [r.status for r in preview.rows] == [RowStatus.NEW]
    template = Path(__file__).resolve().parents[2] / "resources" / "case-import-template.csv"
    assert CaseImport(worker).preview(template).rows == []
    assert template.read_bytes().removeprefix(b"\xef\xbb\xbf").decode().split("\r\n")[0] == ",".join(TEMPLATE_COLUMNS)


def test_a_conflicting_save_imports_nothing_and_says_to_run_again(
    worker: UnlockedVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    def clash(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("INSERT", {}, Exception("unique"))

    monkeypatch.setattr(CaseService, "add_case", clash)
    with pytest.raises(case_import.ImportConflict, match="run the import again"):
        CaseImport(worker).import_file(csv_bytes([row(given_name="Clash")]))
    assert count(worker, CaseEpisode) == 0
