"""The ISTV extract: the NHS Information Sharing to Tackle Violence minimum data set (DAPB1594)
for a site's community safety partnership.

Per submission: the reporting period's start and end dates and the site of treatment; per assault:
arrival and assault date and time (London), method (and the "other" description), location type
and the free-text location description. No identifier of any kind: no reference, name, age, sex
or case id. The descriptions are free text typed by workers and so are read under each case's key
(only a supervisor of the site holds them all); a description is left out where the location is a
home, because a home address identifies the young person or their family. Each case whose
incident goes into an extract is audited as an export of that case (the case's access log shows
it), and the extract as a whole once more. docs/returns.md says how the app's codes map to the
data set's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select

from youthcase.domain import codes
from youthcase.domain.roles import Permission
from youthcase.domain.validation import LONDON
from youthcase.returns.csv_export import formula_safe
from youthcase.returns.kpis import Month
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.encrypted import open_row
from youthcase.storage.models import CaseEpisode, Incident, Site

HOME = "home"
HEADER = (
    "reporting_period_start_date",
    "reporting_period_end_date",
    "site_code_of_treatment",
    "arrival_date_time",
    "assault_date_time",
    "assault_method",
    "assault_method_other_description",
    "assault_location_type",
    "assault_location_description",
)
_DESCRIPTIONS = (Incident.assault_method_other, Incident.assault_location_description)


@dataclass(frozen=True)
class IstvAssault:
    site_code: str
    arrival_at: dt.datetime  # London time
    assault_at: dt.datetime | None
    method: str
    method_other: str | None
    location_type: str
    location_description: str | None  # None where the location is a home


@dataclass(frozen=True)
class IstvExtract:
    month: Month
    site_codes: tuple[str, ...]
    assaults: tuple[IstvAssault, ...]

    def csv(self) -> bytes:
        """One row per assault, each carrying its submission header (period and site)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        start, end = self.month.first_day.isoformat(), self.month.last_day.isoformat()
        for a in self.assaults:
            cells = (
                start,
                end,
                a.site_code,
                _local(a.arrival_at),
                _local(a.assault_at),
                codes.ASSAULT_METHOD.label(a.method),
                a.method_other or "",
                codes.ASSAULT_LOCATION_TYPE.label(a.location_type),
                a.location_description or "",
            )
            writer.writerow([formula_safe(cell) for cell in cells])
        return buffer.getvalue().encode("utf-8-sig")


class IstvService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def extract(self, month: Month, site_code: str | None = None) -> IstvExtract:
        """The assaults of the cases that arrived in ``month`` at the sites I supervise (or ``site_code``)."""
        actor = self.vault.actor
        require(actor, Permission.SUPERVISE)
        sites = sorted(actor.site_codes)
        if site_code is not None:
            code = site_code.strip().upper()
            if code not in actor.site_codes:
                raise PermissionDenied(f"you do not supervise {code}: only its supervisors extract its assaults")
            sites = [code]
        if not sites:
            raise InvalidInput("you supervise no site")
        if month.start > self.vault.clock.now():
            raise InvalidInput(f"{month.label} has not begun")
        with self.vault.session() as session:
            rows = (
                session.connection()
                .execute(
                    select(
                        CaseEpisode.id,
                        Site.code,
                        CaseEpisode.arrival_at,
                        Incident.id.label("incident_id"),
                        Incident.assault_at,
                        Incident.assault_method,
                        Incident.assault_location_type,
                        *_DESCRIPTIONS,
                    )
                    .join(Site, Site.id == CaseEpisode.site_id)
                    .join(Incident, Incident.case_id == CaseEpisode.id)
                    .where(
                        Site.code.in_(sites), CaseEpisode.arrival_at >= month.start, CaseEpisode.arrival_at < month.end
                    )
                    .order_by(Site.code, CaseEpisode.arrival_at)
                )
                .all()
            )
            assaults = []
            for row in rows:
                other, where = open_row(
                    _DESCRIPTIONS, (row.assault_method_other, row.assault_location_description), row.incident_id, row.id
                )
                assaults.append(
                    IstvAssault(
                        row.code,
                        row.arrival_at,
                        row.assault_at,
                        row.assault_method,
                        other if row.assault_method == "other" else None,
                        row.assault_location_type,
                        None if row.assault_location_type == HOME else where,
                    )
                )
                self.vault.audit(session, AuditAction.EXPORT, "case_episode", row.id)
            self.vault.audit(session, AuditAction.EXPORT, "istv_extract")
        return IstvExtract(month, tuple(sites), tuple(assaults))


def _local(instant: dt.datetime | None) -> str:
    return "" if instant is None else instant.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
