"""``youthcase return``: the scheduled run writes both files; every failure is one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.helpers.access import new_vault
from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation

from . import return_scenario as rs
from .conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF
from .test_cli import assert_one_line_error, run

SUPERVISOR_PW = "sam temporary password changed"
WORKER_PW = "wanda temporary password changed"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("cli") / "return.vault"
    location, clock = VaultLocation.parse(str(path)), FakeClock()
    admin = new_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault
    scenario = rs.build(admin, location, clock)
    for vault in (scenario.supervisor, scenario.kch_worker, scenario.rlh_worker, admin):
        vault.lock()
    yield str(path)


def produce(
    db: str, tmp_path: Path, *extra: str, user: str = "sam", password: str = SUPERVISOR_PW, month: str = "2026-03"
) -> tuple[int, str, str]:
    return run(
        "return",
        "--db",
        db,
        "--user",
        user,
        "--password-stdin",
        "--month",
        month,
        "--pdf",
        str(tmp_path / "march.pdf"),
        "--csv",
        str(tmp_path / "march.csv"),
        *extra,
        stdin=password + "\n",
    )


def test_a_scheduled_run_writes_the_pdf_and_the_csv(db: str, tmp_path: Path) -> None:
    code, out, err = produce(db, tmp_path)
    assert code == 0, err
    assert err == ""
    assert "Wrote the return for March 2026 (All sites)" in out and "Audit chain head: " in out
    metadata = PdfReader(tmp_path / "march.pdf").metadata
    assert metadata is not None
    assert metadata.title == "Anonymised monthly return, March 2026"
    assert (tmp_path / "march.csv").read_text(encoding="utf-8-sig").startswith("section,measure,breakdown")


def test_one_site_and_a_stricter_rule(db: str, tmp_path: Path) -> None:
    code, out, err = produce(
        db,
        tmp_path,
        "--site",
        "rlh",
        "--suppress-up-to",
        "10",
        "--round-to",
        "10",
        user="admin",
        password=ADMIN_PASSWORD,
    )
    assert code == 0, err
    assert "(Royal London Hospital)" in out
    assert "1-10 shown as *; rounded to the nearest 10" in (tmp_path / "march.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("month", "fragment"),
    [
        ("2026-3", "month: write the month as YYYY-MM, such as 2026-03"),
        ("2026-13", "month: write the month as YYYY-MM"),
        ("next", "month: write the month as YYYY-MM"),
    ],
)
def test_a_bad_month_is_refused_before_unlocking(db: str, tmp_path: Path, month: str, fragment: str) -> None:
    code, _, err = produce(db, tmp_path, month=month, password="")  # no password needed to say so
    assert_one_line_error(code, err, fragment)
    assert code == 2


def test_a_month_not_yet_started(db: str, tmp_path: Path) -> None:
    code, _, err = produce(db, tmp_path, month="2999-01")
    assert_one_line_error(code, err, "January 2999 has not started yet")


def test_an_unknown_site(db: str, tmp_path: Path) -> None:
    code, _, err = produce(db, tmp_path, "--site", "XYZ")
    assert_one_line_error(code, err, "site: there is no site 'XYZ'; use one of KCH, RLH, SGH, SMH")


def test_unwritable_paths(db: str, tmp_path: Path) -> None:
    code, _, err = run(
        "return",
        "--db",
        db,
        "--user",
        "sam",
        "--password-stdin",
        "--month",
        "2026-03",
        "--pdf",
        str(tmp_path / "nowhere" / "r.pdf"),
        "--csv",
        str(tmp_path / "r.csv"),
        stdin=SUPERVISOR_PW + "\n",
    )
    assert_one_line_error(code, err, f"--pdf: the folder {tmp_path / 'nowhere'} does not exist")
    code, _, err = run(
        "return",
        "--db",
        db,
        "--user",
        "sam",
        "--password-stdin",
        "--month",
        "2026-03",
        "--pdf",
        str(tmp_path / "r.pdf"),
        "--csv",
        str(tmp_path),
        stdin=SUPERVISOR_PW + "\n",
    )
    assert_one_line_error(code, err, "--csv: ")
    assert "is a folder" in err
    code, _, err = run(
        "return",
        "--db",
        db,
        "--user",
        "sam",
        "--password-stdin",
        "--month",
        "2026-03",
        "--pdf",
        str(tmp_path / "r"),
        "--csv",
        str(tmp_path / "r"),
        stdin=SUPERVISOR_PW + "\n",
    )
    assert_one_line_error(code, err, "--pdf and --csv must be different files")
    assert not list(tmp_path.iterdir())


def test_a_looser_rule_is_refused(db: str, tmp_path: Path) -> None:
    code, _, err = produce(db, tmp_path, "--suppress-up-to", "3")
    assert_one_line_error(code, err, "disclosure rule: the rule can be made stricter")


def test_youth_workers_are_refused(db: str, tmp_path: Path) -> None:
    code, _, err = produce(db, tmp_path, user="wanda", password=WORKER_PW)
    assert_one_line_error(code, err, "a youth worker may not produce the monthly return")
    assert code == 8
    assert not (tmp_path / "march.pdf").exists()
