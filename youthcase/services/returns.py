"""Producing the anonymised monthly return: the entry point for the CLI and the GUI.

``ReturnService(vault).produce(month, site=None, rule=STANDARD, progress=callback)`` reads the
figures in one transaction (a consistent snapshot), applies disclosure control, renders the PDF and
the CSV in memory and audits the export (action ``export``, entity ``monthly_return``, the return's
id), all before returning ``ReturnDocuments``. ``save`` writes both files atomically.

Supervisors and administrators may produce returns; youth workers may not. A return holds no case
content, so an administrator (who reads no cases) may produce it, and a supervisor may produce it
for any site or for all sites.

``progress(fraction, message)`` is called from the producing thread; to cancel, raise from it (the
transaction is rolled back and nothing is audited).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.domain.roles import Permission
from youthcase.returns.csv_export import render_csv
from youthcase.returns.disclosure import STANDARD, DisclosureRule
from youthcase.returns.kpis import Month, page_cache
from youthcase.returns.monthly_return import (
    ALL_SITES,
    ALL_SITES_LABEL,
    MonthlyReturn,
    Progress,
    SiteColumn,
    build_return,
)
from youthcase.returns.pdf import render_pdf
from youthcase.services.audit import AuditAction, chain_head
from youthcase.services.errors import InvalidInput
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.files import NotARegularFile, refuse_non_regular, write_atomically
from youthcase.storage.models import CaseEpisode, Site

AUDIT_ENTITY = "monthly_return"


@dataclass(frozen=True)
class ReturnDocuments:
    model: MonthlyReturn
    pdf: bytes
    csv: bytes

    @property
    def suggested_name(self) -> str:
        site = self.model.overall.code.lower() if self.model.overall.site_id else "all-sites"
        return f"youthcase-return-{self.model.month.key}-{site}"


def parse_month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise InvalidInput(f"month: {error}") from None


def check_output_path(path: Path, what: str) -> None:
    """Refuse, before any work is done, a path the file cannot be written to."""
    try:
        refuse_non_regular(path, what)
    except NotARegularFile as error:
        raise InvalidInput(str(error)) from None
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"{what}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InvalidInput(f"{what}: cannot write to {path} (permission denied)")


class ReturnService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def produce(
        self,
        month: Month | str,
        site: str | None = None,
        rule: DisclosureRule = STANDARD,
        progress: Progress | None = None,
    ) -> ReturnDocuments:
        """The return for ``month`` (a ``Month`` or ``YYYY-MM``), for one site code or all sites."""
        require(self.vault.actor, Permission.PRODUCE_RETURNS)
        report = progress or (lambda fraction, message: None)
        wanted = parse_month(month) if isinstance(month, str) else month
        now = self.vault.clock.now()
        if wanted > Month.containing(now):
            raise InvalidInput(f"month: {wanted.label} has not started yet")
        return_id = uuid.uuid4()
        report(0.0, "Reading the figures")
        with self.vault.session() as session:
            head = chain_head(session)
            columns = self._columns(session, site)
            with page_cache(session):
                model = build_return(
                    session, wanted, columns, rule, now, str(head) if head else "none", return_id, report
                )
            report(0.92, "Drawing the PDF")
            pdf = render_pdf(model)
            report(0.98, "Writing the CSV")
            csv = render_csv(model)
            self.vault.audit(session, AuditAction.EXPORT, AUDIT_ENTITY, return_id)
        report(1.0, "Done")
        return ReturnDocuments(model, pdf, csv)

    @staticmethod
    def _columns(session: Session, site: str | None) -> list[SiteColumn]:
        sites = session.execute(select(Site.id, Site.code, Site.name, Site.active).order_by(Site.code)).all()
        if site is not None:
            code = site.strip().upper()
            for site_id, site_code, name, _ in sites:
                if site_code == code:
                    return [SiteColumn(site_code, name, site_id)]
            known = ", ".join(s.code for s in sites)
            raise InvalidInput(f"site: there is no site {site.strip()!r}; use one of {known}")
        with_cases = set(session.scalars(select(CaseEpisode.site_id).distinct()))
        shown = [
            SiteColumn(code, name, site_id) for site_id, code, name, active in sites if active or site_id in with_cases
        ]
        return [SiteColumn(ALL_SITES, ALL_SITES_LABEL, None), *shown]

    @staticmethod
    def save(documents: ReturnDocuments, pdf_path: Path | None, csv_path: Path | None) -> None:
        """Write the files (each atomically: a crash leaves the old file or the new one)."""
        if pdf_path is not None and csv_path is not None and pdf_path.resolve() == csv_path.resolve():
            raise InvalidInput("the PDF and the CSV need different file names")
        for path, what in ((pdf_path, "pdf"), (csv_path, "csv")):
            if path is not None:
                check_output_path(path, what)
        if pdf_path is not None:
            write_atomically(pdf_path, documents.pdf)
        if csv_path is not None:
            write_atomically(csv_path, documents.csv)
