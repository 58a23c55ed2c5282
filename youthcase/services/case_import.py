"""Importing cases from a spreadsheet saved as CSV (the template: resources/case-import-template.csv).

Decisions (README "Importing cases from a spreadsheet" documents them for users):

- **Encoding**: UTF-8, with or without the byte-order mark Excel writes. Anything else (a workbook,
  UTF-16 "Unicode text", Windows-1252) is refused with "save as CSV UTF-8". Files over
  ``MAX_FILE_BYTES`` (50 MiB) are refused before they are read.
- **Delimiter**: a comma; a header row with no comma but semicolons (or tabs) is read with those,
  as some Excel locales save that way.
- **Header** (row 1): names are matched case-insensitively, ignoring surrounding spaces. Every
  template column must be present (its cells may be blank where the field is optional); the
  ``OPTIONAL_COLUMNS`` may be left out. Unknown, repeated or missing columns are problems listed
  first; with a missing or repeated column the rows are not checked (every row would fail).
- **Rows**: numbered as the spreadsheet numbers them (the header is row 1; a cell with line breaks
  is still one row); blank rows (also rows of empty cells) are skipped. Line breaks inside a cell
  are kept as ``\\n``. Values follow the data dictionary (``FieldSpec.parse``): ISO 8601 dates,
  date-times in London time unless an offset is given, codes or their labels. Names that start like
  a formula (``= + - @``) are refused; free text (notes, injury) is kept as typed.
- **All or nothing**: every row is validated first (``CaseService.validate_new_case`` with
  ``from_text=True``) and every problem is collected as (row, column, reason), the column named as
  in the CSV. With any problem nothing is imported. The import itself is one transaction.
- **Idempotent**: each row's ``import_key`` is a keyed fingerprint
  (``BlindIndex.text("case-import-row", ...)``) of the canonical form of its parsed values, so
  ``Knife`` and ``knife`` or ``2026-03-14 21:30`` and ``2026-03-14T21:30`` give the same key, and
  an added optional column left blank changes nothing. Rows whose key is already stored are skipped
  ("already imported"); a row repeated inside one file is imported once. Two people importing the
  same rows at the same moment: one wins, the other gets ``ImportConflict`` and can simply re-run.
- **Returning young people**: a row is attached to a person already known by NHS number (blind
  index) or, failing that, by name and date of birth when that person has no different NHS
  number; earlier rows of the same file count too. The existing person's details are kept as they
  are (the row's own person details are not applied to them).
- **Ownership and permission**: cases are assigned to the importing user, who needs
  ``Permission.IMPORT_CASES`` (workers and supervisors; administrators are refused). A worker may
  name any active site, as in the new-case form; a supervisor only a site they supervise (they see
  cases by site, so a case elsewhere would vanish from their caseload).
- **Progress**: ``progress(done, total)``; an import counts each row twice (checked, then written or
  skipped), so ``total`` is twice the number of data rows; a preview counts each row once.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from youthcase.domain import dictionary as dd
from youthcase.domain.roles import Permission, Role
from youthcase.services.audit import AuditAction
from youthcase.services.cases import CaseInvalid, CaseService, NewCase, ValidatedCase
from youthcase.services.errors import InvalidInput, YouthcaseError
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import Site, YoungPerson
from youthcase.storage.server_queries import stored_import_keys

MAX_FILE_BYTES = 50 * 1024 * 1024
IMPORT_KEY_PURPOSE = "case-import-row"
SAVE_AS_HINT = 'in Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)"'
MAX_REASON_CHARACTERS = 400
_LOOKUP_CHUNK = 500

Progress = Callable[[int, int], None]

# CSV column -> (entity, data-dictionary field). The first sixteen are the template's header.
COLUMNS: dict[str, tuple[dd.EntitySpec, str]] = {
    "given_name": (dd.YOUNG_PERSON, "given_name"),
    "family_name": (dd.YOUNG_PERSON, "family_name"),
    "date_of_birth": (dd.YOUNG_PERSON, "date_of_birth"),
    "nhs_number": (dd.YOUNG_PERSON, "nhs_number"),
    "postcode": (dd.YOUNG_PERSON, "postcode"),
    "sex": (dd.YOUNG_PERSON, "sex"),
    "ethnicity": (dd.YOUNG_PERSON, "ethnicity"),
    "borough": (dd.YOUNG_PERSON, "borough"),
    "site": (dd.CASE, "site"),
    "arrival_datetime": (dd.CASE, "arrival_at"),
    "referral_source": (dd.CASE, "referral_source"),
    "assault_datetime": (dd.INCIDENT, "assault_at"),
    "assault_method": (dd.INCIDENT, "assault_method"),
    "assault_location_type": (dd.INCIDENT, "assault_location_type"),
    "assault_location_description": (dd.INCIDENT, "assault_location_description"),
    "notes": (dd.CASE, "notes"),
    "preferred_name": (dd.YOUNG_PERSON, "preferred_name"),
    "estimated_age": (dd.YOUNG_PERSON, "estimated_age"),
    "phone": (dd.YOUNG_PERSON, "phone"),
    "address": (dd.YOUNG_PERSON, "address"),
    "assault_method_other": (dd.INCIDENT, "assault_method_other"),
    "injury_description": (dd.INCIDENT, "injury_description"),
}
TEMPLATE_COLUMNS: tuple[str, ...] = tuple(COLUMNS)[:16]
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(COLUMNS)[16:]
_COLUMN_OF_FIELD = {(entity.name, name): column for column, (entity, name) in COLUMNS.items()}
_DATE_FORMATS = {
    c: {dd.FieldKind.DATE: "yyyy-mm-dd", dd.FieldKind.INSTANT: "yyyy-mm-dd hh:mm"}.get(e[f].kind)
    for c, (e, f) in COLUMNS.items()
}
_REGIONAL_DATE = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


class ImportRefused(InvalidInput):
    """The file as a whole cannot be read (size, encoding, not a CSV): one message."""


class ImportInvalid(InvalidInput):
    """The file has problems; ``problems`` lists each (row, column, reason). Nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        rows = len({p.row for p in problems if p.row is not None})
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        where = f" in {rows} row{'s' if rows != 1 else ''}" if rows else ""
        super().__init__(f"{count}{where}; nothing was imported: correct the file and import it again")
        self.problems = problems


class ImportConflict(YouthcaseError):
    """Another user saved the same rows, or a case reference, at the same moment (team mode)."""


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # spreadsheet row (the header is row 1); None for the file as a whole
    column: str | None  # as named in the CSV
    reason: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(self.column)
        return f"{', '.join(where) or 'file'}: {self.reason}"


class RowStatus(Enum):
    NEW = "new case"
    ALREADY_IMPORTED = "already imported"
    REPEATED = "repeats an earlier row of this file"
    INVALID = "has problems"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    cells: dict[str, str]  # the text as read, by CSV column
    values: dict[str, Any] | None  # parsed values by CSV column; None when the row has problems
    status: RowStatus
    returning: bool = False  # a new case for a young person already known (or an earlier row)
    repeats_row: int | None = None


@dataclass(frozen=True)
class ImportPreview:
    rows: list[PreviewRow]
    problems: list[ImportProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def returning(self) -> int:
        return sum(1 for row in self.rows if row.status is RowStatus.NEW and row.returning)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    already_imported: int
    repeated_in_file: int
    returning_matched: int
    references: list[str]


# --- reading the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    rows: list[tuple[int, dict[str, str]]]
    problems: list[ImportProblem]
    rows_checkable: bool


def _load(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        if len(source) > MAX_FILE_BYTES:
            raise ImportRefused(_too_big(len(source)))
        return source
    size = source.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportRefused(_too_big(size))
    with source.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew meanwhile
        raise ImportRefused(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return (
        f"the file is {size / 1024 / 1024:.0f} MB; at most {MAX_FILE_BYTES // 1024 // 1024} MB "
        "can be imported at once: split it into smaller files"
    )


def decode_csv_bytes(data: bytes) -> str:
    """The file's text, or ``ImportRefused`` saying how to save it as CSV UTF-8."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportRefused(f"this is an Excel workbook, not a CSV file: {SAVE_AS_HINT}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(f"this file is saved as Unicode text (UTF-16), not CSV UTF-8: {SAVE_AS_HINT}")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"the file is not UTF-8 text (at byte {error.start + 1}): {SAVE_AS_HINT}") from None
    if "\x00" in text:
        raise ImportRefused(f"the file holds binary data, not CSV text: {SAVE_AS_HINT}")
    if not text.strip():
        raise ImportRefused("the file is empty: start from the template, resources/case-import-template.csv")
    return text


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        for candidate in (";", "\t"):
            if candidate in first_line:
                return candidate
    return ","


def _header_problems(header: Sequence[str]) -> tuple[dict[int, str], list[ImportProblem], bool]:
    """Column positions by name, problems with the header, and whether rows can be checked."""
    positions: dict[int, str] = {}
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for position, cell in enumerate(header):
        name = cell.strip().casefold()
        if not name:
            continue
        if name not in COLUMNS:
            close = difflib.get_close_matches(name.replace(" ", "_"), COLUMNS, n=1)
            hint = f": did you mean {close[0]}?" if close else f": the columns are {', '.join(COLUMNS)}"
            problems.append(ImportProblem(1, cell.strip(), f"unknown column{hint}"))
        elif name in seen:
            problems.append(ImportProblem(1, name, "this column appears twice in the header"))
        else:
            seen.add(name)
            positions[position] = name
    missing = [c for c in TEMPLATE_COLUMNS if c not in seen]
    problems += [
        ImportProblem(1, c, "missing column: add it to the header (its cells may be blank where the field is optional)")
        for c in missing
    ]
    repeated = any(p.reason.startswith("this column appears twice") for p in problems)
    return positions, problems, not missing and not repeated


def read_table(text: str) -> _Table:
    """Split the text into (spreadsheet row number, cells by column); header problems first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    row_number = 0
    records: Iterator[list[str]] = iter(reader)
    problems: list[ImportProblem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    checkable = False
    try:
        header = next(records, [])
        row_number = 1
        if not any(cell.strip() for cell in header):
            raise ImportRefused(
                "row 1 must be the header row with the column names: start from "
                "the template, resources/case-import-template.csv"
            )
        positions, problems, checkable = _header_problems(header)
        for record in records:
            row_number += 1
            if not any(cell.strip() for cell in record):
                continue
            cells = {name: "" for name in positions.values()}
            for position, cell in enumerate(record):
                name = positions.get(position)
                if name is not None:
                    cells[name] = cell.replace("\r\n", "\n").replace("\r", "\n")
                elif cell.strip() and (position >= len(header) or not header[position].strip()):
                    problems.append(
                        ImportProblem(
                            row_number, f"column {position + 1}", "this cell has no column name in the header row"
                        )
                    )
            rows.append((row_number, cells))
    except csv.Error as error:
        problems.append(
            ImportProblem(
                row_number + 1, None, f"this row cannot be read as CSV ({error}); the rows after it were not checked"
            )
        )
    return _Table(rows, problems, checkable)


# --- checking rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CheckedRow:
    row: int
    cells: dict[str, str]
    checked: ValidatedCase | None
    key: str | None


def _new_case(cells: Mapping[str, str]) -> NewCase:
    parts: dict[str, dict[str, str]] = {"young_person": {}, "case": {}, "incident": {}}
    for column, text in cells.items():
        entity, name = COLUMNS[column]
        parts[entity.name][name] = text
    return NewCase(parts["young_person"], parts["case"], parts["incident"])


def _reason(column: str, cells: Mapping[str, str], message: str) -> str:
    if _DATE_FORMATS.get(column) and _REGIONAL_DATE.match(cells.get(column, "")):
        message += (
            " (Excel may have changed the date to your regional format: give the column "
            f"the custom format {_DATE_FORMATS[column]} before saving)"
        )
    if column in COLUMNS and column not in cells:
        message += f" (add the optional column {column})"
    if len(message) > MAX_REASON_CHARACTERS:
        message = message[:MAX_REASON_CHARACTERS].rstrip() + "... (see docs/data-dictionary.md)"
    return message


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def canonical_form(checked: ValidatedCase) -> str:
    """The parsed values as canonical JSON: what the import key fingerprints. Blank fields are left
    out, so adding an optional column with blank cells does not change a row's key."""
    document = {
        part: {name: _plain(value) for name, value in values.items() if value is not None}
        for part, values in (("person", checked.person), ("case", checked.case), ("incident", checked.incident))
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _values_by_column(checked: ValidatedCase, cells: Iterable[str]) -> dict[str, Any]:
    parts = {"young_person": checked.person, "case": checked.case, "incident": checked.incident}
    return {column: parts[COLUMNS[column][0].name].get(COLUMNS[column][1]) for column in cells}


class _Steps:
    """Calls ``progress`` about two hundred times over ``total`` steps, and at the end."""

    def __init__(self, progress: Progress | None, total: int, done: int = 0) -> None:
        self.progress, self.total, self.done = progress, total, done
        self.every = max(1, total // 200)

    def step(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % self.every == 0 or self.done == self.total):
            self.progress(self.done, self.total)


# --- planning: already imported, repeated, returning ------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    row: _CheckedRow
    status: RowStatus
    person_id: uuid.UUID | None = None  # an existing person
    person_of_row: int | None = None  # the person created by an earlier row of the file
    repeats_row: int | None = None

    @property
    def returning(self) -> bool:
        return self.person_id is not None or self.person_of_row is not None


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _LOOKUP_CHUNK):
        yield items[start : start + _LOOKUP_CHUNK]


class CaseImport:
    """Preview and import a CSV of cases as the vault's acting user."""

    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault
        self.cases = CaseService(vault)

    # --- public API --------------------------------------------------------------------------------

    def preview(self, source: Path | bytes, progress: Progress | None = None) -> ImportPreview:
        """Parse and validate without writing: every row with its parsed values and status."""
        require(self.vault.actor, Permission.IMPORT_CASES)
        with self.vault.session() as session:
            checked, problems = self._check(session, source, progress, 1)
            plan = self._plan(session, checked)
        rows = [
            PreviewRow(
                p.row.row,
                p.row.cells,
                _values_by_column(p.row.checked, p.row.cells) if p.row.checked else None,
                p.status,
                p.returning,
                p.repeats_row,
            )
            for p in plan
        ]
        return ImportPreview(rows, problems)

    def import_file(self, source: Path | bytes, progress: Progress | None = None) -> ImportResult:
        """Import every row, or none (``ImportInvalid`` lists every problem)."""
        require(self.vault.actor, Permission.IMPORT_CASES)
        try:
            with self.vault.session() as session:
                checked, problems = self._check(session, source, progress, 2)
                if problems:
                    raise ImportInvalid(problems)
                plan = self._plan(session, checked)
                return self._write(session, plan, _Steps(progress, 2 * len(checked), len(checked)))
        except IntegrityError:
            raise ImportConflict(
                "another user saved cases at the same moment, so nothing was imported "
                "from this file: run the import again (rows already imported are "
                "skipped)"
            ) from None

    # --- the steps ---------------------------------------------------------------------------------

    def _check(
        self, session: Session, source: Path | bytes, progress: Progress | None, passes: int
    ) -> tuple[list[_CheckedRow], list[ImportProblem]]:
        table = read_table(decode_csv_bytes(_load(source)))
        problems = list(table.problems)
        if not table.rows_checkable:
            return [_CheckedRow(n, cells, None, None) for n, cells in table.rows], problems
        sites = set(session.scalars(select(Site.code).where(Site.active)))
        steps = _Steps(progress, passes * len(table.rows))
        result = []
        for row_number, cells in table.rows:
            checked: ValidatedCase | None
            try:
                checked = self.cases.validate_new_case(_new_case(cells), from_text=True, site_codes=sites)
            except CaseInvalid as invalid:
                problems += [
                    ImportProblem(row_number, column, _reason(column, cells, p.message))
                    for p in invalid.problems
                    for column in [_COLUMN_OF_FIELD.get((p.entity, p.field), p.field)]
                ]
                result.append(_CheckedRow(row_number, cells, None, None))
            else:
                if not self._on_my_caseload(checked.case["site"]):
                    problems.append(
                        ImportProblem(
                            row_number,
                            "site",
                            (
                                f"you {'supervise' if self.vault.actor.role is Role.SUPERVISOR else 'are admitted to'} "
                                f"{', '.join(sorted(self.vault.actor.site_codes)) or 'no site'}: a case "
                                f"at {checked.case['site']} would not be on your caseload; ask someone at that "
                                "site to import it"
                            ),
                        )
                    )
                    checked = None
                key = self.cases.index.text(IMPORT_KEY_PURPOSE, canonical_form(checked)) if checked else None
                result.append(_CheckedRow(row_number, cells, checked, key))
            steps.step()
        problems.sort(key=lambda p: p.row or 0)  # header first, then by row; stable within a row
        return result, problems

    def _on_my_caseload(self, site: str) -> bool:
        """Imported cases are the importer's, at a site they are admitted to (whose key they hold)."""
        return site in self.vault.actor.site_codes

    def _plan(self, session: Session, rows: list[_CheckedRow]) -> list[_Planned]:
        keys = [r.key for r in rows if r.key]
        stored: set[str] = set()
        for chunk in _chunks(keys):
            stored.update(stored_import_keys(session, chunk))
        indexes = [self._indexes(r.checked) for r in rows if r.checked]
        known = self._known_people(session, indexes)
        seen_keys: dict[str, int] = {}
        file_people: dict[str, tuple[int, str | None]] = {}  # index -> (row, that row's NHS index)
        plan = []
        for row in rows:
            if row.checked is None or row.key is None:
                plan.append(_Planned(row, RowStatus.INVALID))
                continue
            if row.key in seen_keys:
                plan.append(_Planned(row, RowStatus.REPEATED, repeats_row=seen_keys[row.key]))
                continue
            seen_keys[row.key] = row.row
            if row.key in stored:
                plan.append(_Planned(row, RowStatus.ALREADY_IMPORTED))
                continue
            nhs, name_dob = self._indexes(row.checked)
            person_id = _match(known, nhs, name_dob)
            person_row = None if person_id else _match(file_people, nhs, name_dob)
            plan.append(_Planned(row, RowStatus.NEW, person_id, person_row))
            if person_id is None and person_row is None:
                for index in (nhs, name_dob):
                    if index:
                        file_people.setdefault(index, (row.row, nhs))
        return plan

    def _indexes(self, checked: ValidatedCase) -> tuple[str | None, str | None]:
        person = checked.person
        return (
            self.cases.index.nhs_number(person.get("nhs_number")),
            self.cases.index.name_and_birth_date(
                person["given_name"], person["family_name"], person.get("date_of_birth")
            ),
        )

    @staticmethod
    def _known_people(
        session: Session, indexes: list[tuple[str | None, str | None]]
    ) -> dict[str, tuple[uuid.UUID, str | None]]:
        """People already stored, by each of their blind indexes (the earliest recorded first)."""
        wanted = sorted({index for pair in indexes for index in pair if index})
        found: dict[str, tuple[uuid.UUID, str | None]] = {}
        for chunk in _chunks(wanted):
            query = (
                select(YoungPerson.id, YoungPerson.nhs_index, YoungPerson.name_dob_index)
                .where(or_(YoungPerson.nhs_index.in_(chunk), YoungPerson.name_dob_index.in_(chunk)))
                .order_by(YoungPerson.created_at, YoungPerson.id)
            )
            for person_id, nhs, name_dob in session.execute(query):
                for index in (nhs, name_dob):
                    if index:
                        found.setdefault(index, (person_id, nhs))
        return found

    def _write(self, session: Session, plan: list[_Planned], steps: _Steps) -> ImportResult:
        sites = self.cases.recording_sites(session)
        counters: dict[str, int] = {}
        person_of_row: dict[int, uuid.UUID] = {}
        references = []
        now = self.vault.clock.now()
        for planned in plan:
            if planned.status is RowStatus.NEW and planned.row.checked is not None:
                checked = planned.row.checked
                existing = planned.person_id or (
                    person_of_row[planned.person_of_row] if planned.person_of_row else None
                )
                if existing is None:
                    # A new person is saved first and then passed by id, as for a returning one, so
                    # later rows of the same file can attach to it.
                    existing = self.cases._person_for(session, checked, now).id  # noqa: SLF001
                    session.flush()
                checked = dataclasses.replace(checked, existing_person_id=existing)
                case = self.cases.add_case(session, checked, sites, planned.row.key, counters)
                person_of_row[planned.row.row] = existing
                references.append(case.reference)
            steps.step()
        self.vault.audit(session, AuditAction.IMPORT, "case_episode", None)
        session.flush()
        return ImportResult(
            imported=len(references),
            already_imported=sum(p.status is RowStatus.ALREADY_IMPORTED for p in plan),
            repeated_in_file=sum(p.status is RowStatus.REPEATED for p in plan),
            returning_matched=sum(p.status is RowStatus.NEW and p.returning for p in plan),
            references=references,
        )


def _match(people: Mapping[str, tuple[Any, str | None]], nhs: str | None, name_dob: str | None) -> Any:
    """By NHS number first; by name and date of birth only when the candidate's NHS number is not
    known or is the same (two people may share a name and a birthday, never an NHS number)."""
    if nhs and nhs in people:
        return people[nhs][0]
    if name_dob and name_dob in people:
        candidate, candidate_nhs = people[name_dob]
        if candidate_nhs is None or nhs is None or candidate_nhs == nhs:
            return candidate
    return None


__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "OPTIONAL_COLUMNS",
    "TEMPLATE_COLUMNS",
    "CaseImport",
    "ImportConflict",
    "ImportInvalid",
    "ImportPreview",
    "ImportProblem",
    "ImportRefused",
    "ImportResult",
    "PreviewRow",
    "RowStatus",
    "canonical_form",
    "decode_csv_bytes",
    "read_table",
]
