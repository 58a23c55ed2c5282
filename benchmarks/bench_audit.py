"""Signed audit trail and signed records, printed as JSON.

Keys v2 signs every audit event (Ed25519, by the acting account) and every account record, public
key, site key and grant; opening a vault verifies the records and the newest events, ``audit
verify`` and ``check`` the whole chain. This measures, on a vault whose trail holds N events (a
worker's contacts, each audited):

- ``verify_chain_seconds`` and ``per_event_us``: ``audit verify``'s walk (links, digests, signatures);
- ``hash_only_seconds``: the same walk checking links and digests but no signature, so ``ratio``
  (signed / hash only) is what the signatures cost;
- ``load_directory_ms``: reading and verifying every signed record, as each unlock does;
- ``open_check_ms``: what opening a vault checks of the trail (newest events, anchored head).

Usage: ``python benchmarks/bench_audit.py [--events 20000]``. Goal (../shared/security.md): verifying
100,000 events takes seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from tests.helpers.access import admit_to_home_sites, remember_recovery_key  # noqa: E402
from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.audit import GENESIS_DIGEST, AuditAction, append_event, event_digest, verify_chain  # noqa: E402
from youthcase.services.vault import LockedVault, UnlockedVault, check_recent_events, create_vault  # noqa: E402
from youthcase.storage.models import AuditEvent  # noqa: E402

WORKER = ("bench.worker", "orchard bicycle morning 27")


def _vault(folder: Path, events: int) -> UnlockedVault:
    location = VaultLocation(path=folder / "audit.vault")
    created = create_vault(location, "admin", "harbour lantern quietly 41", MINIMUM_PARAMS)
    remember_recovery_key(location, created.recovery_key)
    AccountService(created.vault).add_user(WORKER[0], Role.WORKER, "temporary kestrel window 19", ["KCH"])
    created.vault.lock()
    vault = LockedVault(location).unlock(WORKER[0], "temporary kestrel window 19")
    AccountService(vault).change_own_password("temporary kestrel window 19", WORKER[1])
    vault.lock()
    admit_to_home_sites(location, WORKER[0], vault.clock)
    vault = LockedVault(location).unlock(*WORKER)
    with vault.session() as session:
        for _ in range(events):
            append_event(session, vault.signer, vault.vault_id, vault.clock, AuditAction.VIEW, "case_episode", None)
    return vault


def _hash_only(vault: UnlockedVault) -> int:
    previous, count = GENESIS_DIGEST, 0
    with vault.session() as session:
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)).yield_per(2000):
            assert event.previous_digest == previous and event_digest(event) == event.digest
            previous, count = event.digest, count + 1
    return count


def _seconds(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        vault = _vault(Path(folder), args.events)
        try:
            with vault.session() as session:
                signed, report = _seconds(lambda: verify_chain(session, vault.keyring.directory))
                directory_s, _ = _seconds(lambda: vault.keyring.load_directory(session))
                open_s, _ = _seconds(lambda: check_recent_events(session, vault.keyring.directory, None))
            assert report.intact, report.problem
            plain, count = _seconds(lambda: _hash_only(vault))
        finally:
            vault.lock()
    figures = {
        "events": count,
        "verify_chain_seconds": round(signed, 3),
        "per_event_us": round(signed / count * 1e6, 1),
        "hash_only_seconds": round(plain, 3),
        "ratio": round(signed / plain, 2),
        "projected_100k_events_seconds": round(signed / count * 100_000, 1),
        "load_directory_ms": round(directory_s * 1000, 2),
        "open_check_ms": round(open_s * 1000, 2),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
