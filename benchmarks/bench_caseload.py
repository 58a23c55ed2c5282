"""Caseload benchmarks (offscreen GUI), printed as JSON.

With N demo cases (``youthcase.services.demo_data``, the code behind ``youthcase demo``) and two
real demo accounts that unlock with their own keys (keys v2, docs/security.md "Key hierarchy"):
a youth worker (``demo.rlh.worker1``: their own cases, through the case keys wrapped to them) and
``demo.rlh.supervisor``, admitted to the other three trauma centres by break glass (the recovery
key, as ``users grant --recovery-key-stdin`` does), so it holds every site's key (every case):

- ``unlock_to_caseload_shown``: from pressing Unlock to the caseload painted, through the real
  login, workspace and caseload page (open cases, the default view). Goal: within 1 s.
- ``all_cases_load_to_shown``: choosing "All cases": from asking to the table painted.
- ``search_keystroke_ms``: one keystroke in the search box, typing on and deleting, over every
  case loaded (N rows): from the text changing to the table repainted (median and p95). The
  search waits ``DEBOUNCE_MS`` after the last key when there are many rows; that pause is reported
  apart, not added in. Goal: within 50 ms.
- ``case_keys``: what per-case keys cost the account, apart from the rest: opening its grants,
  reading the case-key wraps it may open (``Keyring.load``, at unlock), the X25519 agreements (one
  per (site, account) pair whose wraps it opens, counted and timed apart), then
  ``Keyring.case_key`` for every case it may read (one AES-GCM unwrap each, in microseconds per
  case) and the field cipher made from each key. ``cold_us_per_case`` is what the first caseload
  after unlock pays: agreements and unwraps together, per case.

Each figure stands beside the same on an unencrypted store: plain SQLite (no SQLCipher, no field
encryption) with the same schema (the real tables, encrypted columns as plain TEXT/DATE) holding
the same rows, read by the same query and shown by the same page; ``ratio`` = encrypted / plain.
With ``--cases 100000`` the figures measured before keys v2 (issue 9) stand beside them too
(``before_keys_v2``). The unlock uses the minimum KDF cost (``YOUTHCASE_KDF=minimum``): the
calibrated KDF's own time is ``unlock_real_kdf_seconds`` in benchmarks/bench_foundation.py, and
benchmarks/bench_login.py times failed unlocks (unknown name against wrong password).

Usage: ``python benchmarks/bench_caseload.py [--cases 100000] [--seed 7] [--runs 3]
[--keep DIR]`` (``--keep`` reuses the vault and plain store made by an earlier run in DIR).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["YOUTHCASE_KDF"] = "minimum"
# The package of the checkout (or worktree) this file is in, not whichever one the venv installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import (  # noqa: E402
    ColumnElement,
    Date,
    MetaData,
    Table,
    Text,
    create_engine,
    insert,
    or_,
    select,
)
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.errors import NoKeyError  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS  # noqa: E402
from youthcase.domain.caseload_rules import (  # noqa: E402
    action_overdue,
    age_in_years,
    london_today,
    no_recent_successful_contact,
)
from youthcase.domain.clock import SystemClock  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.domain.sites import MAJOR_TRAUMA_CENTRES, SiteKind  # noqa: E402
from youthcase.gui.app import apply_look  # noqa: E402
from youthcase.gui.background import Background  # noqa: E402
from youthcase.gui.models.caseload import StatusFilter, build_entries, sorted_positions  # noqa: E402
from youthcase.gui.navigation import SECTIONS, Section  # noqa: E402
from youthcase.gui.pages import caseload as caseload_page  # noqa: E402
from youthcase.gui.pages.caseload import DEBOUNCE_MS, CaseloadListing, CaseloadPage  # noqa: E402
from youthcase.gui.prompts import Prompts  # noqa: E402
from youthcase.gui.shell import Shell  # noqa: E402
from youthcase.services.access import open_grants  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.case_access import visible_cases  # noqa: E402
from youthcase.services.cases import CaseloadRow  # noqa: E402
from youthcase.services.demo_data import DemoAccount, load_demo_data  # noqa: E402
from youthcase.services.keyring import Keyring  # noqa: E402
from youthcase.services.recovery import grant_with_recovery_key  # noqa: E402
from youthcase.services.sites import SiteSummary  # noqa: E402
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault  # noqa: E402
from youthcase.storage.encrypted import EncryptedDate, EncryptedType, KeyScope  # noqa: E402
from youthcase.storage.models import (  # noqa: E402
    AppUser,
    Base,
    CaseEpisode,
    CaseKey,
    CasePerson,
    Site,
    SiteKey,
    YoungPerson,
    case_share,
)

ADMIN = ("admin", "harbour lantern quietly 41")
SUPERVISOR_PASSWORD = "granite violin evening 83"
WORKER_PASSWORD = "orchard bicycle morning 27"
HOME_SITE = MAJOR_TRAUMA_CENTRES[0].code  # RLH: the demo supervisor admitted to every other site
BEFORE_KEYS_V2 = {  # issue 9, on 100,000 demo cases, before per-case keys
    "cases": 100_000,
    "worker_unlock_to_caseload_seconds": 0.54,
    "all_sites_supervisor_unlock_to_caseload_seconds": 1.95,
    "search_keystroke_p95_ms": 42.0,
}
TIMEOUT_S = 600
GOAL_SHOWN_S = 1.0
GOAL_KEYSTROKE_MS = 50.0
PLAIN_FILE = "plain.sqlite"
USERS_FILE = "users.json"


# --- making the stores ------------------------------------------------------------------------------


def demo_account(accounts: Sequence[DemoAccount], role: Role, site: str) -> DemoAccount:
    return next(a for a in accounts if a.role is role and a.site_code == site)


def make_vault(folder: Path, cases: int, seed: int) -> dict[str, Any]:
    """The demo vault; a demo worker and the demo supervisor of RLH with permanent passwords (their
    first login), the supervisor admitted to the other three sites with the recovery key."""
    location = VaultLocation(path=folder / "bench.vault")
    created = create_vault(location, ADMIN[0], ADMIN[1], MINIMUM_PARAMS, SystemClock())
    started = time.perf_counter()
    try:
        demo = load_demo_data(created.vault, cases, seed, created.recovery_key)
    finally:
        created.vault.lock()
    seconds = time.perf_counter() - started
    supervisor = demo_account(demo.accounts, Role.SUPERVISOR, HOME_SITE)
    worker = demo_account(demo.accounts, Role.WORKER, HOME_SITE)
    for account, permanent in ((supervisor, SUPERVISOR_PASSWORD), (worker, WORKER_PASSWORD)):
        unlocked = LockedVault(location).unlock(account.username, account.temporary_password)
        try:
            AccountService(unlocked).change_own_password(account.temporary_password, permanent)
        finally:
            unlocked.lock()
    for site in MAJOR_TRAUMA_CENTRES:  # break glass, as ``users grant --recovery-key-stdin``
        if site.code != supervisor.site_code:
            grant_with_recovery_key(location, created.recovery_key, supervisor.username, site.code)
    users: dict[str, Any] = {
        "supervisor": [supervisor.username, SUPERVISOR_PASSWORD],
        "worker": [worker.username, WORKER_PASSWORD],
        "demo_seconds": seconds,
        "cases": cases,
        "seed": seed,
    }
    every_site = {site.code for site in MAJOR_TRAUMA_CENTRES}
    for role, expected in (("supervisor", every_site), ("worker", {worker.site_code})):
        vault = LockedVault(location).unlock(*users[role])
        try:
            if vault.actor.site_codes != expected:
                raise RuntimeError(f"{vault.actor.username} is admitted to {sorted(vault.actor.site_codes)}")
        finally:
            vault.lock()
    (folder / USERS_FILE).write_text(json.dumps(users), encoding="utf-8")
    return users


def plain_metadata() -> MetaData:
    """The real schema with every encrypted column as a plain one."""
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        copy = table.to_metadata(metadata)
        for column in copy.columns:
            if isinstance(column.type, EncryptedType):
                column.type = Date() if isinstance(column.type, EncryptedDate) else Text()
    return metadata


def make_plain_store(folder: Path, reader: Sequence[str]) -> None:
    """Copy what the caseload reads (sites, users, people, cases, shares), decrypted, into plain
    SQLite, read as ``reader``: the all-sites supervisor, whose keys open every case."""
    metadata = plain_metadata()
    engine = create_engine(f"sqlite:///{folder / PLAIN_FILE}")
    metadata.create_all(engine)
    vault = LockedVault(VaultLocation(path=folder / "bench.vault")).unlock(*reader)
    try:
        with vault.session() as session, engine.begin() as plain:
            for model in (Site, AppUser, YoungPerson, CaseEpisode, CasePerson):
                table = metadata.tables[model.__tablename__]
                names = [column.name for column in table.columns]
                batch: list[dict[str, Any]] = []
                for record in session.scalars(select(model)).yield_per(5000):
                    batch.append({name: getattr(record, name) for name in names})
                    if len(batch) == 5000:
                        plain.execute(insert(table), batch)
                        batch = []
                if batch:
                    plain.execute(insert(table), batch)
                session.expunge_all()
            shares = [dict(row._mapping) for row in session.execute(select(case_share))]
            if shares:
                plain.execute(insert(metadata.tables[case_share.name]), shares)
    finally:
        vault.lock()
    engine.dispose()


# --- reading the plain store the way the service reads the vault -----------------------------------


def plain_loader(engine: Engine) -> Callable[[UnlockedVault, bool, tuple[int, Qt.SortOrder]], CaseloadListing]:
    """``load_caseload`` for the plain store: the service's query and row building, no crypto."""
    tables = plain_metadata()  # not reflected: the real column types (UTC date-times) are kept
    case, site = tables.tables["case_episode"], tables.tables["site"]
    user, person = tables.tables["app_user"], tables.tables["case_person"]
    share = tables.tables["case_share"]

    def load(vault: UnlockedVault, include_closed: bool, sort: tuple[int, Qt.SortOrder]) -> CaseloadListing:
        actor = vault.actor
        visible: ColumnElement[bool]
        if actor.role is Role.SUPERVISOR:
            visible = case.c.site_id.in_(select(site.c.id).where(site.c.code.in_(actor.site_codes)))
        else:
            shared = select(share.c.case_id).where(share.c.user_id == actor.user_id)
            visible = or_(case.c.worker_id == actor.user_id, case.c.id.in_(shared))
        query = (
            select(
                case.c.id,
                case.c.reference,
                case.c.status,
                case.c.engagement,
                case.c.current_risk,
                case.c.arrival_at,
                case.c.opened_at,
                case.c.last_successful_contact_at,
                case.c.next_action_due,
                site.c.code,
                user.c.username,
                person.c.id.label("person_id"),
                person.c.given_name,
                person.c.family_name,
                person.c.date_of_birth,
                person.c.estimated_age,
            )
            .join(site, site.c.id == case.c.site_id)
            .join(user, user.c.id == case.c.worker_id)
            .join(person, person.c.case_id == case.c.id)
            .where(visible)
        )
        if not include_closed:
            query = query.where(case.c.status == "open")
        now = vault.clock.now()
        today = london_today(now)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
            sites = connection.execute(select(site.c.id, site.c.code, site.c.name, site.c.kind, site.c.active)).all()
        result = [
            CaseloadRow(
                r.id,
                r.reference,
                r.given_name,
                r.family_name,
                age_in_years(r.date_of_birth, today) if r.date_of_birth else r.estimated_age,
                r.code,
                r.username,
                r.arrival_at,
                r.engagement,
                r.status,
                r.current_risk,
                r.last_successful_contact_at,
                r.next_action_due,
                r.status == "open" and no_recent_successful_contact(now, r.opened_at, r.last_successful_contact_at),
                r.status == "open" and action_overdue(now, r.next_action_due),
            )
            for r in rows
        ]
        entries = build_entries(result)
        return CaseloadListing(
            entries,
            sorted_positions(entries, *sort),
            sort,
            include_closed,
            [SiteSummary(s.id, s.code, s.name, SiteKind(s.kind), s.active) for s in sites],
            [],
        )

    return load


@contextlib.contextmanager
def loading_with(loader: Callable[..., CaseloadListing] | None) -> Iterator[None]:
    original = caseload_page.load_caseload
    if loader is not None:
        caseload_page.load_caseload = loader
    try:
        yield
    finally:
        caseload_page.load_caseload = original


# --- measuring ---------------------------------------------------------------------------------------


def wait_until(app: QApplication, condition: Callable[[], bool], timeout_s: float = TIMEOUT_S) -> None:
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the GUI did not get there in time")
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    app.processEvents()


def shown(page: CaseloadPage) -> Callable[[], bool]:
    def done() -> bool:
        if page.error.isVisible():
            raise RuntimeError(f"the caseload did not load: {page.error.text()}")
        return page.has_loaded and not page.loading.isVisible()

    return done


class PaintWatch(QObject):
    """Counts the paints of a widget, to wait for the next one after a change."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def painted(app: QApplication, page: CaseloadPage) -> None:
    """Return once the table has painted after the change (as the user would see it): the view
    repaints on its own after a model reset; nothing is painted twice."""
    viewport = page.view.viewport()
    watch = viewport.findChild(PaintWatch) or PaintWatch(viewport)
    before = watch.paints
    viewport.update()
    wait_until(app, lambda: watch.paints > before, timeout_s=10)


def unlock_to_shown(app: QApplication, location: VaultLocation, user: Sequence[str], runs: int) -> dict[str, Any]:
    """The real path: login view, unlock on the background queue, workspace, caseload page."""
    background = Background()
    shell = Shell(location, SystemClock(), background, Prompts())
    shell.resize(1280, 800)
    shell.show()
    totals, unlocks, rows = [], [], 0
    for _ in range(runs):
        shell.login.username.setText(user[0])
        shell.login.password.setText(user[1])
        started = time.perf_counter()
        shell.login.unlock_button.click()
        wait_until(app, lambda: shell.workspace is not None and not shell.is_locked)
        unlocked = time.perf_counter()
        assert shell.workspace is not None and shell.workspace.caseload is not None
        page = shell.workspace.caseload
        wait_until(app, shown(page))
        painted(app, page)
        totals.append(time.perf_counter() - started)
        unlocks.append(unlocked - started)
        rows = page.model.total
        shell.lock()
        wait_until(app, lambda: not background.busy)
    shell.close()
    background.wait_for_done(TIMEOUT_S * 1000)
    return {
        "seconds": statistics.median(totals),
        "unlock_seconds": statistics.median(unlocks),
        "runs": [round(t, 3) for t in totals],
        "rows": rows,
    }


def page_for(vault: UnlockedVault) -> tuple[CaseloadPage, Background]:
    spec = next(s for s in SECTIONS if s.section is Section.CASELOAD)
    background = Background()
    page = CaseloadPage(spec, vault, background, Prompts())
    page.resize(1280, 800)
    page.show()
    return page, background


def load_to_shown(
    app: QApplication, vault: UnlockedVault, all_cases: bool, runs: int, loader: Callable[..., CaseloadListing] | None
) -> tuple[dict[str, Any], CaseloadPage, Background]:
    """From asking for the caseload to the table painted, on one page (the last is kept)."""
    times = []
    page, background = page_for(vault)
    with loading_with(loader):
        for run in range(runs):
            if run:
                page.close()
                page.deleteLater()
                page, background = page_for(vault)
            if all_cases:
                page.status.blockSignals(True)
                page.status.setCurrentIndex(page.status.findData(StatusFilter.ALL))
                page.status.blockSignals(False)
                page.proxy.set_filter(page.current_filter())
            started = time.perf_counter()
            page.reload()
            wait_until(app, shown(page))
            painted(app, page)
            times.append(time.perf_counter() - started)
    return (
        {
            "seconds": statistics.median(times),
            "runs": [round(t, 3) for t in times],
            "rows": page.model.total,
            "shown": page.proxy.rowCount(),
        },
        page,
        background,
    )


def search_terms(page: CaseloadPage) -> list[str]:
    """What a worker would type: a surname, a first name, a reference, a name with an accent."""
    model = page.model
    pick = [model.row_at(r).row for r in (0, model.rowCount() // 3, (2 * model.rowCount()) // 3)]
    return [
        pick[0].family_name.lower()[:7],
        f"{pick[1].given_name[:4]} {pick[2].family_name[:3]}",
        pick[2].reference[:9].lower(),
        "zoe",
    ]


def keystrokes(app: QApplication, page: CaseloadPage, terms: Sequence[str]) -> dict[str, Any]:
    """Type each term a key at a time, then delete it a key at a time: each step timed."""
    times = []
    for term in terms:
        steps = [term[:i] for i in range(1, len(term) + 1)] + [term[:i] for i in range(len(term) - 1, -1, -1)]
        for text in steps:
            started = time.perf_counter()
            page.search.setText(text)
            page.apply_search()  # what the debounce timer calls; its pause is not timed here
            painted(app, page)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
        "keystrokes": len(times),
        "rows": page.model.total,
    }


def ratio(encrypted: float, plain: float) -> float | None:
    return round(encrypted / plain, 2) if plain > 0 else None


def pair(encrypted: dict[str, Any], plain: dict[str, Any], key: str) -> dict[str, Any]:
    return {"encrypted": encrypted, "plain": plain, "ratio": ratio(encrypted[key], plain[key])}


def plain_unlock_seconds(folder: Path) -> float:
    """The plain store's equivalent of unlocking: open the file and read from it."""
    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{folder / PLAIN_FILE}")
    with engine.connect() as connection:
        connection.execute(select(Table("site", MetaData(), autoload_with=connection).c.code)).all()
    engine.dispose()
    return time.perf_counter() - started


# --- per-case keys ---------------------------------------------------------------------------------


def fresh_keyring(vault: UnlockedVault, session: Session) -> tuple[Keyring, dict[str, float]]:
    """A new keyring for the unlocked account, built as the unlock builds it: its grants opened
    (site keys for a supervisor) and the wraps it may open read. Timed, in milliseconds."""
    keyring = vault.keyring
    ring = Keyring(
        vault.engine, vault.vault_key, vault.actor.user_id, keyring.account_keys, vault.vault_id, keyring.directory.pin
    )
    started = time.perf_counter()
    ring.load_directory(session)
    verified = time.perf_counter()
    open_grants(session, ring)
    granted = time.perf_counter()
    ring.load(session)
    loaded = time.perf_counter()
    return ring, {
        "verify_records_ms": (verified - started) * 1000,
        "open_grants_ms": (granted - verified) * 1000,
        "read_wraps_ms": (loaded - granted) * 1000,
    }


def pairs_to_agree(ring: Keyring, session: Session) -> list[tuple[Any, int, Any]]:
    """The (site, generation, account) pairs of the wraps this keyring read: mine, and every
    account's at the sites whose key it holds (as ``Keyring.load`` selects them)."""
    held = [
        site_id
        for site_id, generation in session.execute(select(SiteKey.site_id, SiteKey.generation))
        if ring.holds_site(site_id, generation)
    ]
    condition = CaseKey.account_id == ring.account_id
    if held:
        condition = or_(condition, CaseKey.site_id.in_(held))
    query = select(CaseKey.site_id, CaseKey.generation, CaseKey.account_id).where(condition).distinct()
    return [(r.site_id, r.generation, r.account_id) for r in session.execute(query)]


def bench_case_keys(location: VaultLocation, user: Sequence[str], runs: int) -> dict[str, Any]:
    """The per-case key cost for ``user``, apart from the caseload around it (median of runs)."""
    vault = LockedVault(location).unlock(*user)
    figures: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    try:
        with Session(vault.engine) as session:
            visible = session.execute(select(CaseEpisode.id, CaseEpisode.status).where(visible_cases(vault.actor)))
            case_ids, open_cases = [], 0
            for case_id, status in visible:
                case_ids.append(case_id)
                open_cases += status == "open"
        cases = len(case_ids)
        agreements = 0
        for _ in range(max(runs, 3)):
            with Session(vault.engine) as session:
                cold, timings = fresh_keyring(vault, session)
                warm, _timings = fresh_keyring(vault, session)
                pairs = pairs_to_agree(warm, session)
            for name, value in timings.items():
                note(name, value)
            started = time.perf_counter()
            for case_id in case_ids:  # what the first caseload after unlock does: agree as needed
                cold.case_key(case_id)
            note("cold_seconds", time.perf_counter() - started)
            started = time.perf_counter()
            agreements = 0
            for site_id, generation, account_id in pairs:
                try:
                    warm.kek(site_id, generation, account_id)
                except NoKeyError:  # a wrap for someone else the site key does not reach
                    continue
                agreements += 1
            note("agreements_ms", (time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for case_id in case_ids:
                warm.case_key(case_id)
            note("unwrap_seconds", time.perf_counter() - started)
            started = time.perf_counter()
            for case_id in case_ids:
                warm.cipher(KeyScope.CASE, case_id)
            note("cipher_seconds", time.perf_counter() - started)
    finally:
        vault.lock()
    median = {name: statistics.median(values) for name, values in figures.items()}
    per_case = 1e6 / cases if cases else 0.0
    key_seconds = (median["unwrap_seconds"] + median["cipher_seconds"]) / cases if cases else 0.0
    at_unlock = (median["open_grants_ms"] + median["read_wraps_ms"] + median["agreements_ms"]) / 1000
    return {
        "cases": cases,
        "open_cases": open_cases,
        "open_grants_ms": round(median["open_grants_ms"], 2),
        "read_wraps_ms": round(median["read_wraps_ms"], 1),
        "agreements": {
            "count": agreements,
            "ms": round(median["agreements_ms"], 2),
            "us_each": round(median["agreements_ms"] * 1000 / agreements, 1) if agreements else None,
        },
        "unwrap_us_per_case": round(median["unwrap_seconds"] * per_case, 2),
        "field_cipher_us_per_case": round(median["cipher_seconds"] * per_case, 2),
        "cold_us_per_case": round(median["cold_seconds"] * per_case, 2),
        # Their part of the figures beside: the unlock opens the grants and reads every wrap, the
        # default view needs the keys of the open cases, "All cases" those of every case.
        "in_unlock_to_caseload_seconds": round(at_unlock + key_seconds * open_cases, 4),
        "in_all_cases_load_seconds": round(median["agreements_ms"] / 1000 + key_seconds * cases, 4),
        "runs": len(figures["cold_seconds"]),
    }


def bench_user(app: QApplication, folder: Path, user: Sequence[str], runs: int, with_search: bool) -> dict[str, Any]:
    location = VaultLocation(path=folder / "bench.vault")
    engine = create_engine(f"sqlite:///{folder / PLAIN_FILE}")
    loader = plain_loader(engine)
    report: dict[str, Any] = {"user": user[0]}
    encrypted_unlock = unlock_to_shown(app, location, user, runs)
    case_keys = bench_case_keys(location, user, runs)
    vault = LockedVault(location).unlock(*user)
    try:
        plain_open, page, background = load_to_shown(app, vault, False, runs, loader)
        page.close()
        background.wait_for_done(TIMEOUT_S * 1000)
        plain_total = plain_unlock_seconds(folder) + plain_open["seconds"]
        report["unlock_to_caseload_shown"] = {
            "encrypted": encrypted_unlock,
            "plain": {"seconds": plain_total, "rows": plain_open["rows"]},
            "ratio": ratio(encrypted_unlock["seconds"], plain_total),
            "goal_seconds": GOAL_SHOWN_S,
        }
        case_keys["share_of_unlock_to_caseload"] = ratio(
            case_keys["in_unlock_to_caseload_seconds"], encrypted_unlock["seconds"]
        )
        report["case_keys"] = case_keys
        results = {}
        for name, source in (("encrypted", None), ("plain", loader)):
            shown, page, background = load_to_shown(app, vault, True, runs, source)
            results[name] = shown
            if with_search:
                results[f"{name}_search"] = keystrokes(app, page, search_terms(page))
            page.close()
            background.wait_for_done(TIMEOUT_S * 1000)
        report["all_cases_load_to_shown"] = pair(results["encrypted"], results["plain"], "seconds")
        case_keys["share_of_all_cases_load"] = ratio(
            case_keys["in_all_cases_load_seconds"], results["encrypted"]["seconds"]
        )
        if with_search:
            search = pair(results["encrypted_search"], results["plain_search"], "median_ms")
            search["ratio_p95"] = ratio(results["encrypted_search"]["p95_ms"], results["plain_search"]["p95_ms"])
            search["debounce_ms"] = DEBOUNCE_MS
            search["goal_ms"] = GOAL_KEYSTROKE_MS
            report["search_keystroke_ms"] = search
    finally:
        vault.lock()
        engine.dispose()
    return report


def before_keys_v2(report: dict[str, Any]) -> dict[str, Any]:
    """The figures measured before per-case keys (issue 9), each beside today's and the ratio."""
    now = {
        "worker_unlock_to_caseload_seconds": report["worker"]["unlock_to_caseload_shown"]["encrypted"]["seconds"],
        "all_sites_supervisor_unlock_to_caseload_seconds": report["all_sites_supervisor"]["unlock_to_caseload_shown"][
            "encrypted"
        ]["seconds"],
        "search_keystroke_p95_ms": report["all_sites_supervisor"]["search_keystroke_ms"]["encrypted"]["p95_ms"],
    }
    return {
        name: {"before": BEFORE_KEYS_V2[name], "now": round(value, 3), "ratio": ratio(value, BEFORE_KEYS_V2[name])}
        for name, value in now.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the stores in this folder")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_look(app)
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        made: dict[str, float] = {}
        if (folder / USERS_FILE).exists():
            users = json.loads((folder / USERS_FILE).read_text(encoding="utf-8"))
        else:
            users = make_vault(folder, args.cases, args.seed)
            started = time.perf_counter()
            make_plain_store(folder, users["supervisor"])
            made = {
                "demo_data_seconds": round(users["demo_seconds"], 1),
                "plain_store_seconds": round(time.perf_counter() - started, 1),
            }
        report: dict[str, Any] = {
            "cases": users["cases"],
            "seed": users["seed"],
            **made,
            "kdf": "minimum (OWASP floor); see bench_foundation for the real",
        }
        report["worker"] = bench_user(app, folder, users["worker"], args.runs, with_search=False)
        report["all_sites_supervisor"] = bench_user(app, folder, users["supervisor"], args.runs, with_search=True)
        if users["cases"] == BEFORE_KEYS_V2["cases"]:
            report["before_keys_v2"] = before_keys_v2(report)
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
