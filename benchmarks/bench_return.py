"""Monthly return benchmark, printed as JSON.

Builds (or reuses, from ``--cache-dir``) a vault with N cases of demo data over 24 months
(``youthcase.services.demo_data``), adds what the demo does not make (the case status history and
referrals out with milestones, written the way the services write them), then times producing the
return for the last complete month: the KPI queries, disclosure and layout, the PDF and the CSV,
and the audit, exactly as ``youthcase return`` runs them. Goal: under 3 s for 100,000 cases.

It also times the figures alone (queries, disclosure and layout) on the encrypted vault and on a
plain, unencrypted SQLite copy of the same file (``sqlcipher_export``), with the ratio: the cost of
SQLCipher's page encryption for this workload. The return reads no encrypted column.

Usage: ``python benchmarks/bench_return.py [--cases 100000] [--cache-dir DIR] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3  # noqa: E402
from sqlalchemy import create_engine, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.helpers.access import hold_every_site_key  # noqa: E402
from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS  # noqa: E402
from youthcase.domain.caseload_rules import london_today  # noqa: E402
from youthcase.returns.disclosure import STANDARD  # noqa: E402
from youthcase.returns.kpis import Month, page_cache  # noqa: E402
from youthcase.returns.monthly_return import build_return  # noqa: E402
from youthcase.services.demo_data import load_demo_data  # noqa: E402
from youthcase.services.returns import ReturnService  # noqa: E402
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault  # noqa: E402
from youthcase.storage.encrypted import bind  # noqa: E402
from youthcase.storage.models import (  # noqa: E402
    CaseEpisode,
    CaseStatusChange,
    Contact,
    Referral,
    ReferralMilestone,
    RiskAssessment,
    ServiceProvider,
)

ADMIN, PASSWORD = "admin", "benchmark administrator password"
SERVICES = (
    ("camhs", 0.30),
    ("rehabilitation", 0.15),
    ("substance_misuse", 0.08),
    ("ete", 0.15),
    ("housing", 0.08),
    ("victim_support", 0.10),
    ("sport_mentoring", 0.10),
    ("gp", 0.04),
)


def _complete_demo(vault: UnlockedVault, seed: int) -> dict[str, int]:
    """Add the status history and referrals the demo generator does not write (when missing)."""
    added = {"case_status_change": 0, "referral": 0, "referral_milestone": 0}
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    now = vault.clock.now()
    with vault.session() as session:
        need_history = not session.scalar(select(func.count()).select_from(CaseStatusChange))
        need_referrals = not session.scalar(select(func.count()).select_from(Referral))
        cases = session.execute(
            select(
                CaseEpisode.id,
                CaseEpisode.arrival_at,
                CaseEpisode.status,
                CaseEpisode.closed_on,
                CaseEpisode.closure_reason,
                CaseEpisode.engagement,
                CaseEpisode.worker_id,
                CaseEpisode.first_contact_at,
            )
        ).all()
        services = {}
        for service_type, _ in SERVICES:
            provider = ServiceProvider(
                service_type=service_type, name=f"Demo {service_type} service", chase_interval_days=14, active=True
            )
            session.add(provider)
            services[service_type] = provider.id
        session.flush()
        changes: list[dict[str, Any]] = []
        referrals: list[dict[str, Any]] = []
        milestones: list[dict[str, Any]] = []
        for case in cases:
            opened = london_today(case.arrival_at)
            if need_history:
                changes.append(
                    {
                        "id": uuid.uuid4(),
                        "case_id": case.id,
                        "change": "opened",
                        "changed_on": opened,
                        "reason": None,
                        "recorded_at": case.arrival_at,
                    }
                )
            if need_history and case.status == "closed" and case.closed_on is not None:
                changes.append(
                    {
                        "id": uuid.uuid4(),
                        "case_id": case.id,
                        "change": "closed",
                        "changed_on": max(case.closed_on, opened),
                        "reason": case.closure_reason,
                        "recorded_at": case.arrival_at,
                    }
                )
            if (
                not need_referrals
                or case.engagement != "engaged"
                or case.first_contact_at is None
                or rng.random() > 0.45
            ):
                continue
            service_type = rng.choices([s for s, _ in SERVICES], [w for _, w in SERVICES])[0]
            referral_id = uuid.uuid4()
            day = london_today(case.first_contact_at) + dt.timedelta(days=rng.randint(1, 14))
            steps = [("drafted", day), ("sent", day + dt.timedelta(days=rng.randint(0, 3)))]
            for step, gap in (("accepted", (3, 20)), ("help_started", (7, 90)), ("completed", (20, 120))):
                following = steps[-1][1] + dt.timedelta(days=rng.randint(*gap))
                if following > london_today(now) or rng.random() < 0.15:
                    break
                steps.append((step, following))
            for sequence, (step, on) in enumerate(steps, start=1):
                milestones.append(
                    {
                        "id": uuid.uuid4(),
                        "referral_id": referral_id,
                        "case_id": case.id,
                        "sequence": sequence,
                        "step": step,
                        "occurred_on": on,
                        "decline_reason": None,
                        "note": None,
                        "recorded_by": case.worker_id,
                        "recorded_at": now,
                    }
                )
            referrals.append(
                {
                    "id": referral_id,
                    "case_id": case.id,
                    "service_id": services[service_type],
                    "urgency": "routine",
                    "reason": bind(Referral.reason, referral_id, case.id, "Demo referral reason."),
                    "consent_override_reason": None,
                    "status": steps[-1][0],
                    "status_on": steps[-1][1],
                    "re_referral_of": None,
                    "created_by": case.worker_id,
                    "created_at": now,
                }
            )
        tables = ((CaseStatusChange, changes), (Referral, referrals), (ReferralMilestone, milestones))
        for model, rows in tables:
            for start in range(0, len(rows), 5000):
                session.execute(insert(model.__table__), rows[start : start + 5000])
            added[model.__tablename__] = len(rows)
    return added


def _vault(folder: Path, cases: int, seed: int) -> tuple[VaultLocation, dict[str, Any]]:
    location = VaultLocation.parse(str(folder / f"return-bench-{cases}-{seed}.vault"))
    info_path = folder / f"return-bench-{cases}-{seed}.json"
    if location.path is not None and location.path.exists() and info_path.exists():
        return location, json.loads(info_path.read_text()) | {"reused": True}
    started = time.perf_counter()
    created = create_vault(location, ADMIN, PASSWORD, MINIMUM_PARAMS)
    try:
        result = load_demo_data(created.vault, cases, seed, created.recovery_key)
        # Seal the referral reasons (case content) under their cases' keys as the services would.
        hold_every_site_key(created.vault, created.recovery_key)
        added = _complete_demo(created.vault, seed)
    finally:
        created.vault.lock()
    info = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(),
        "demo_rows": result.counts,
        "added_to_demo": added,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    info_path.write_text(json.dumps(info))
    return location, info | {"reused": False}


def _plain_copy(vault: UnlockedVault, folder: Path) -> Path:
    """An unencrypted SQLite copy of the vault file (field ciphertext stays as it is)."""
    assert vault.location.path is not None
    plain = folder / (vault.location.path.stem + "-plain.sqlite")
    if not plain.exists():
        with vault.engine.connect() as connection:
            connection.exec_driver_sql(f"ATTACH DATABASE '{plain}' AS plaintext KEY ''")
            connection.exec_driver_sql("SELECT sqlcipher_export('plaintext')")
            connection.exec_driver_sql("DETACH DATABASE plaintext")
    return plain


def _time_figures(session: Session, month: Month, columns: Any) -> float:
    started = time.perf_counter()
    with page_cache(session):
        build_return(session, month, columns, STANDARD, dt.datetime.now(dt.UTC), "bench", uuid.uuid4())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "youthcase-bench",
        help="where the benchmark vault is kept between runs (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, help="also save the PDF and CSV here (a folder)")
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    location, info = _vault(args.cache_dir, args.cases, args.seed)
    vault = LockedVault(location).unlock(ADMIN, PASSWORD)
    try:
        month = Month.containing(dt.datetime.fromisoformat(info["built_at"])).plus(-1)
        service = ReturnService(vault)
        stages: dict[str, float] = {}
        totals, cpu = [], []
        documents = None
        for _ in range(args.repeat):
            marks: list[tuple[float, str]] = []

            def mark(_fraction: float, message: str, marks: list[tuple[float, str]] = marks) -> None:
                marks.append((time.perf_counter(), message))

            started, started_cpu = time.perf_counter(), time.process_time()
            documents = service.produce(month, progress=mark)
            totals.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            times = dict((message, at) for at, message in marks)
            stages = {
                "queries": round(times["Applying disclosure control"] - started, 3),
                "disclosure_and_layout": round(times["Drawing the PDF"] - times["Applying disclosure control"], 3),
                "pdf": round(times["Writing the CSV"] - times["Drawing the PDF"], 3),
                "csv_and_audit": round(times["Done"] - times["Writing the CSV"], 3),
            }
        assert documents is not None
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{documents.suggested_name}.pdf").write_bytes(documents.pdf)
            (args.out / f"{documents.suggested_name}.csv").write_bytes(documents.csv)
        columns = documents.model.columns
        with vault.session() as session:
            encrypted = min(_time_figures(session, month, columns) for _ in range(args.repeat))
        plain_path = _plain_copy(vault, args.cache_dir)
        # The same SQLite build (SQLCipher's, with no key: plain pages), so only encryption differs.
        plain_engine = create_engine("sqlite://", creator=lambda: sqlcipher3.connect(str(plain_path)))
        with Session(plain_engine) as session:
            plain = min(_time_figures(session, month, columns) for _ in range(args.repeat))
        plain_engine.dispose()
        with vault.session() as session:
            rows = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (CaseEpisode, Contact, CaseStatusChange, RiskAssessment, Referral, ReferralMilestone)
            }
        vault_bytes = os.path.getsize(str(location.path))
    finally:
        vault.lock()
    print(
        json.dumps(
            {
                "rows": rows,
                "month": month.key,
                "vault": {"path": str(location.path), "megabytes": round(vault_bytes / 2**20, 1), **info},
                "return_seconds": {
                    "median": round(statistics.median(totals), 3),
                    "best": round(min(totals), 3),
                    "runs": [round(t, 3) for t in totals],
                    "stages_last_run": stages,
                    "cpu_seconds_best": round(min(cpu), 3),
                    "load_average_1min": os.getloadavg()[0],
                    "goal": 3.0,
                },
                "figures_seconds": {
                    "encrypted_sqlcipher": round(encrypted, 3),
                    "plain_sqlite": round(plain, 3),
                    "ratio": round(encrypted / plain, 2),
                },
                "pdf_bytes": len(documents.pdf),
                "csv_rows": documents.csv.count(b"\n") - 1,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
