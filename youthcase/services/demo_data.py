"""Synthetic demo data: a realistic vault to try the app with, and to benchmark it.

``load_demo_data(vault, cases, seed)`` fills a vault with staff and cases spread over the 24 months
before the vault clock's "now". For a given seed and "now" the data is the same every time (the
people, cases, ids and every value; only ciphertext differs, as nonces are random). Nothing in it
is real: names are drawn from lists of common names, NHS numbers come from the 999 range that is
never issued, phone numbers from Ofcom's drama range (07700 900xxx).

Decisions:

- **Who may load it**: an administrator only. The demo creates staff accounts (a supervisor and
  three youth workers per major trauma centre) through ``AccountService``, which only an
  administrator may do; any other acting user gets ``PermissionDenied`` before anything is written.
  The cases are then written directly (bulk inserts), assigned to the demo workers: the
  administrator still cannot read them through the services.
- **Only into a vault without cases**, so demo records can never mix with real ones; a vault that
  already holds cases, or the demo accounts, is refused before anything is written.
- **Temporary passwords** of the demo staff are random (``secrets``, not the seed): they are
  returned once, to be printed, and must be changed at first login as for any new account.
- **Keys**: the demo admits its supervisors and workers to their sites with the recovery key
  (break glass, audited), so it needs the recovery key as well as an administrator. Unlike a real
  account, a demo account gets its key pairs at creation, under its temporary password, because
  its cases are written before anyone logs in as it; the vault records that it is a demo vault
  (setting ``demo_vault``). Each case gets its own key, wrapped for its worker and site.
- **Speed**: rows are generated in chronological order and written in batches with Core bulk
  inserts; encrypted columns are wrapped with ``bind()`` (``PendingSeal``), so each value is sealed
  to its own row, table and column exactly as the ORM would. Staff and cases are one transaction
  (``UnlockedVault.one_transaction``: the services' sessions are its savepoints), so a demo that
  fails or is killed halfway leaves the vault as it was, with no demo account; on failure the key
  store file is put back as it was too (killed, it keeps the demo slots, which open nothing and a
  new run replaces). On SQLCipher the page cache is enlarged to 512 MiB meanwhile. 100,000 cases take about 1.5 minutes
  on a two-core machine (about 1.3 million rows, a 570 MB file).

What it makes (rates are approximate): young people aged 10-25 (most 15-19), about 80% male, a
London ethnic and borough mix following each hospital's catchment; about 8% of cases are a
re-attendance within 12 months by the same person; arrivals skewed to evenings and weekends;
ISTV incidents (knife about 40%, body part about 30%, ...); contacts including failed attempts;
start, change and end risk assessments; safeguarding concerns, about a third amended by a second
version; plan goals; closures with reasons once support ends; some reopened cases; six-month
follow-ups.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from youthcase.crypto.blind_index import BlindIndex
from youthcase.crypto.keypairs import KeyPairs, SiteKeyPair, pair_key, seal_to, wrap_key
from youthcase.crypto.slots import SlotSecrets, password_slot, recovery_key_pairs
from youthcase.domain import codes
from youthcase.domain.caseload_rules import age_in_years, london_today
from youthcase.domain.roles import Permission, Role
from youthcase.domain.sites import MAJOR_TRAUMA_CENTRES
from youthcase.domain.validation import london_to_utc
from youthcase.services.access import (
    MATCHING_SUBJECT,
    current_site_key,
    open_escrow,
    publish_account_keys,
    seal_grant,
)
from youthcase.services.accounts import AccountService
from youthcase.services.audit import AuditAction, append_event
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.keyring import case_key_context, site_copy_context
from youthcase.services.permissions import require
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.trust import Signer
from youthcase.services.vault import UnlockedVault
from youthcase.storage.encrypted import EncryptedType, bind
from youthcase.storage.files import write_atomically
from youthcase.storage.keystore import login_id
from youthcase.storage.models import (
    AppUser,
    CaseEpisode,
    CaseKey,
    CasePerson,
    CaseSiteKey,
    CaseStatusChange,
    Contact,
    FollowUp,
    Incident,
    PlanGoal,
    RiskAssessment,
    SafeguardingConcern,
    Site,
    VaultSetting,
    YoungPerson,
)

MAX_CASES = 1_000_000
BATCH_CASES = 2_000
SQLITE_CACHE_KIB = 512 * 1024
SQLITE_DEFAULT_CACHE_KIB = 2000
WORKERS_PER_SITE = 3
MONTHS = 24
RE_ATTENDANCE_RATE = 0.08
Progress = Callable[[int, int], None]
T = TypeVar("T")


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    site_code: str
    temporary_password: str


@dataclass
class DemoResult:
    seed: int
    accounts: list[DemoAccount]
    counts: dict[str, int] = field(default_factory=dict)  # rows written, by table
    returning_cases: int = 0
    seconds: float = 0.0


# --- weighted choices --------------------------------------------------------------------------------


class Weighted:
    """A weighted choice drawn with one ``random()`` and a bisect (fast and deterministic)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def __call__(self, random: Callable[[], float]) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, random() * self.total)]


def _w(text: str) -> Weighted:
    """``"a 3, b 1"`` -> a weighted choice of "a" (3) and "b" (1)."""
    pairs = []
    for part in text.split(","):
        name, weight = part.split()
        pairs.append((name, float(weight)))
    return Weighted(pairs)


# --- the reference data --------------------------------------------------------------------------------

NAMES: dict[str, tuple[str, str, str]] = {  # group: male given names, female given names, family names
    "white_british": (
        "Jack Harry Charlie Alfie George Oliver Thomas Callum Connor Kieran Jordan Lewis Ryan Tyler "
        "Ben Reece Jake Mason Louie Archie",
        "Olivia Chloe Jessica Megan Lauren Ellie Amber Holly Jade Paige Leah Sophie",
        "Smith Jones Taylor Brown Wilson Evans Walker Wright Green Hall Clarke Turner Hughes Harris "
        "Baker Collins Cooper King Ward Mitchell",
    ),
    "irish": (
        "Sean Patrick Liam Conor Ciaran Declan Cillian",
        "Aoife Niamh Siobhan Roisin Ciara",
        "Murphy O'Brien Kelly Byrne Doyle O'Sullivan McCarthy Walsh O'Connor Gallagher",
    ),
    "other_white": (
        "Jakub Mateusz Andrei Luca Tiago Kacper Dawid Bogdan Rui Stefan Marius",
        "Zuzanna Maria Ioana Alicja Beatriz Natalia Elena",
        "Kowalski Nowak Popescu Silva Santos Ionescu Wiśniewski Horváth Ferreira Dumitru Kovačević Zieliński",
    ),
    "caribbean": (
        "Jerome Tyrell Dwayne Marcus Andre Kemar Shaquille Jermaine Rhys Tyrone Nathaniel Kyle Leon Jahmal Romario",
        "Shanice Tiana Aaliyah Jada Kayla Tanisha Chantelle Renee",
        "Campbell Thompson Williams Richards Francis Morgan Grant Reid Bailey Henry "
        "Clarke Gordon Lewis Robinson Stewart",
    ),
    "african": (
        "Tobi Chidi Kwame Kofi Emeka Femi Samuel David Abdi Mohamed Yonas Daniel Ayo Segun "
        "Osei Ibrahim Abdirahman Tunde Kelechi Junior",
        "Adaeze Ama Chioma Folake Fatima Hodan Esther Blessing Precious Ngozi Ifeoma Sagal",
        "Okafor Adeyemi Mensah Osei Boateng Okonkwo Adebayo Owusu Abdi Hassan Ali Tesfaye "
        "Mekonnen Kabongo Nwosu Eze Farah Oyelaran Asante Mwangi",
    ),
    "indian": (
        "Arjun Rohan Aarav Vikram Harpreet Gurpreet Ravi Jaspreet Kabir",
        "Priya Anjali Simran Kiran Navdeep",
        "Patel Singh Sharma Kaur Gill Shah Mistry Sandhu",
    ),
    "pakistani": (
        "Ali Bilal Hamza Usman Zain Imran Adnan Haris",
        "Ayesha Hira Sana Amina Mariam",
        "Khan Hussain Ahmed Iqbal Butt Malik Raja Akhtar",
    ),
    "bangladeshi": (
        "Rahim Sami Tanvir Shahid Jamal Rayhan Abdul Nabil Shakil Ayaan",
        "Nusrat Tasnim Fahima Sumaiya Ruma",
        "Rahman Uddin Miah Begum Islam Chowdhury Hoque Ali Ahmed Khatun",
    ),
    "other_asian": (
        "Ahmad Farhad Kasun Nuwan Tharindu Jamshid",
        "Zahra Parisa Dilani",
        "Karimi Rezaei Perera Fernando Sultani Jayasinghe",
    ),
    "chinese": ("Wei Jun Kevin Hao Jason Ming", "Mei Ling Grace Xinyi", "Chen Wang Li Zhang Liu Wong Lam"),
    "other": (
        "Omar Yusuf Mehmet Emre Diego Carlos Karwan Mustafa Kerem Mateo",
        "Layla Elif Valentina Maryam Zeynep",
        "Yılmaz Demir Kaya Haddad Mansour González Rodríguez Ahmadi Aziz Çelik",
    ),
}
ETHNIC_NAME_GROUPS: dict[str, tuple[str, ...]] = {
    "A": ("white_british",),
    "B": ("irish",),
    "C": ("other_white",),
    "D": ("white_british", "caribbean"),
    "E": ("white_british", "african"),
    "F": ("white_british", "indian", "pakistani"),
    "G": ("other", "caribbean", "white_british"),
    "H": ("indian",),
    "J": ("pakistani",),
    "K": ("bangladeshi",),
    "L": ("other_asian",),
    "M": ("caribbean",),
    "N": ("african",),
    "P": ("caribbean", "african"),
    "R": ("chinese",),
    "S": ("other",),
    "Z": tuple(NAMES),
    "99": tuple(NAMES),
}
ETHNICITY = _w("A 19, B 1, C 7, D 5, E 2, F 1, G 3, H 2, J 2, K 5, L 2, M 12, N 17, P 8, R 0.5, S 5, Z 4, 99 3.5")
SEX = _w("1 80, 2 19, X 0.6, 9 0.4")
AGE = Weighted(list(zip(range(10, 26), (1, 1.5, 2.5, 4, 6, 9, 12, 13, 12, 10, 8, 6, 5, 4, 3, 3), strict=True)))
SITE_WEIGHT = {"RLH": 32, "KCH": 28, "SGH": 20, "SMH": 20}
CATCHMENT = {
    "RLH": _w(
        "tower_hamlets 25, newham 20, hackney 15, waltham_forest 8, barking_and_dagenham 8, "
        "redbridge 5, islington 5, havering 3, city_of_london 1, greenwich 3, haringey 3, "
        "enfield 2"
    ),
    "KCH": _w("southwark 28, lambeth 25, lewisham 18, croydon 8, bromley 5, greenwich 6, bexley 3, wandsworth 3"),
    "SGH": _w(
        "wandsworth 22, merton 18, lambeth 12, croydon 15, sutton 10, kingston_upon_thames 6, "
        "richmond_upon_thames 4, hounslow 3, southwark 3"
    ),
    "SMH": _w(
        "westminster 22, brent 22, kensington_and_chelsea 12, ealing 12, hammersmith_and_fulham 12, "
        "camden 8, harrow 4, hillingdon 4, barnet 4, hounslow 2"
    ),
}
ELSEWHERE = _w("outside_london 4, not_known 1, any 4")
ALL_BOROUGHS = [c.code for c in codes.BOROUGH if c.code not in {"outside_london", "not_known"}]
POSTCODE_DISTRICTS = {
    "barking_and_dagenham": "IG11 RM8 RM9 RM10",
    "barnet": "N3 NW4 NW9 EN5",
    "bexley": "DA5 DA6 DA7 DA15",
    "brent": "NW2 NW6 NW10 HA0 HA9",
    "bromley": "BR1 BR2 BR3 BR5",
    "camden": "NW1 NW3 NW5 WC1X",
    "city_of_london": "EC1A EC2V EC3N",
    "croydon": "CR0 CR2 CR7 SE25",
    "ealing": "W3 W5 W7 W13 UB1",
    "enfield": "EN1 EN3 N9 N18",
    "greenwich": "SE2 SE3 SE7 SE9 SE10 SE18",
    "hackney": "E5 E8 E9 N16",
    "hammersmith_and_fulham": "W6 W12 W14 SW6",
    "haringey": "N8 N15 N17 N22",
    "harrow": "HA1 HA2 HA3",
    "havering": "RM1 RM3 RM7",
    "hillingdon": "UB3 UB4 UB8 UB10",
    "hounslow": "TW3 TW4 TW7",
    "islington": "N1 N4 N5 N7 N19",
    "kensington_and_chelsea": "W8 W10 W11 SW3 SW5",
    "kingston_upon_thames": "KT1 KT2 KT3",
    "lambeth": "SE11 SE24 SE27 SW2 SW4 SW8 SW9",
    "lewisham": "SE4 SE6 SE8 SE12 SE13 SE14 SE23",
    "merton": "SW19 SW20 CR4 SM4",
    "newham": "E6 E7 E12 E13 E15 E16",
    "redbridge": "IG1 IG2 IG3 IG4",
    "richmond_upon_thames": "TW1 TW9 TW10",
    "southwark": "SE1 SE5 SE15 SE16 SE17 SE22",
    "sutton": "SM1 SM2 SM3",
    "tower_hamlets": "E1 E2 E3 E14",
    "waltham_forest": "E4 E10 E11 E17",
    "wandsworth": "SW11 SW12 SW15 SW17 SW18",
    "westminster": "W2 W9 SW1P NW8",
    "outside_london": "CM1 GU1 ME1 SS1 LU1 RH1",
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREETS = (
    "High Street",
    "Church Road",
    "Station Road",
    "Victoria Road",
    "Park Lane",
    "Mill Road",
    "Rye Lane",
    "Queens Road",
    "Kingsland Road",
    "Mile End Road",
    "Coldharbour Lane",
    "Harrow Road",
    "Uxbridge Road",
    "Lordship Lane",
    "Walworth Road",
    "Balham High Road",
    "Commercial Road",
    "Green Lanes",
    "Old Kent Road",
    "Brixton Hill",
    "Garratt Lane",
)
ESTATES = ("Court", "House", "Tower", "Gardens", "Close")
PARKS = (
    "Burgess Park",
    "Victoria Park",
    "Clapham Common",
    "Tooting Common",
    "Mile End Park",
    "Queen's Park",
    "Brockwell Park",
    "Peckham Rye",
    "Wormwood Scrubs",
    "Hackney Marshes",
)
STATIONS = (
    "Stratford",
    "Brixton",
    "Peckham Rye",
    "Whitechapel",
    "Clapham Junction",
    "Harlesden",
    "Tooting Broadway",
    "Lewisham",
    "Edgware Road",
    "Wembley Park",
)
LANGUAGES = _w(
    "Somali 3, Arabic 3, Bengali 3, Portuguese 2, Polish 2, Romanian 2, Tigrinya 2, Turkish 2, Kurdish 1, Spanish 1"
)
EDUCATION = _w("school 38, college 20, training 5, employed 9, neet 18, excluded 6, not_known 4")

# hour of arrival (London time) and day of week (Monday first): evenings, nights and weekends
HOUR = Weighted(
    list(
        zip(
            range(24),
            (5, 4, 3, 2, 1.5, 1, 1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 9.5, 9, 8, 6.5),
            strict=True,
        )
    )
)
WEEKDAY_WEIGHT = (0.85, 0.85, 0.9, 0.95, 1.15, 1.4, 1.25)
MONTH_WEIGHT = (0.9, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 1.0, 0.95, 0.9)

REFERRAL_SOURCE = _w("ed_staff 45, trauma_team 20, ward 20, police 5, self 4, other 6")
METHOD = _w("knife 40, body 30, blunt 11, glass 6, firearm 3, other 5, not_known 5")
METHOD_OTHER = (
    "Dog set on him",
    "Hit deliberately by a moped",
    "Hot liquid thrown",
    "Corrosive substance thrown",
    "Pushed down stairs",
)
LOCATION = _w("street 45, home 12, park 10, transport 8, school 7, licensed 6, workplace 2, other 5, not_known 5")
INJURY = {
    "knife": (
        "Stab wound to left thigh",
        "Stab wound to buttock",
        "Defensive laceration to forearm",
        "Stab wound to back",
        "Slash wound to face",
        "Stab wound to abdomen",
    ),
    "body": (
        "Facial fractures after punches",
        "Head injury after being kicked",
        "Broken jaw",
        "Bruising to ribs and face",
    ),
    "blunt": ("Head wound from a hammer", "Fractured arm from a bat", "Scalp laceration from a bottle of water thrown"),
    "glass": ("Lacerations to face from a bottle", "Cut to neck from broken glass"),
    "firearm": ("Gunshot wound to leg", "Pellet wounds to back"),
    "other": ("Bite wounds to arm", "Burns to chest and arms", "Grazes and a fractured wrist"),
    "not_known": ("Head injury, mechanism unclear", "Multiple bruises; does not say how"),
}
OUTCOME = _w("engaged 64, declined 12, unable 18, transferred 6")
FIRST_MEDIUM = _w("bedside 60, ed 25, phone 15")
LATER_MEDIUM = _w(
    "phone 25, message 15, community 12, home_visit 8, school 6, accompanied 6, multi_agency 5, video 4, bedside 4"
)
ATTEMPT_MEDIUM = _w("phone 50, message 30, home_visit 10, bedside 10")
CONTACT_WITH = _w("young_person 80, parent_carer 12, professional 8")
TOPICS = [c.code for c in codes.CONTACT_TOPIC]
CLOSURE_ENGAGED = _w(
    "goals_met 66, disengaged 16, moved_away 5, transferred 5, not_eligible 2, other 5.5, deceased 0.5"
)
RISK = _w("high 30, medium 45, low 25")
RISK_FACTORS = _w(
    "weapon_carrying 12, gang_association 10, exploitation 8, previous_victim 14, "
    "retaliation 6, school_exclusion 8, substance_misuse 10, family_conflict 9, "
    "mental_health 11, peer_offending 10"
)
PROTECTIVE = [c.code for c in codes.PROTECTIVE_FACTOR]
NEEDS = _w(
    "housing 8, education 16, employment 10, mental_health 16, rehabilitation 10, substance_use 8, "
    "finances 8, legal 7, family 9"
)
SAFEGUARDING = _w(
    "exploitation 25, gang 20, domestic_abuse 12, neglect 8, self_harm 15, sexual_abuse 5, risk_to_others 10, other 5"
)
GOALS = {
    "housing": "Move to safe, stable housing",
    "education": "Back into education by the new term",
    "employment": "Apply for an apprenticeship or job",
    "mental_health": "Attend a CAMHS assessment",
    "rehabilitation": "Keep physiotherapy appointments",
    "substance_use": "Meet the substance use service",
    "finances": "Open a bank account and claim what is due",
    "legal": "Understand the court process",
    "family": "Repair relations at home with family support",
}
REFERRAL_NOTES = (
    "Seen in resus, referred by the trauma nurse.",
    "Referred after discharge from the ward.",
    "Mum present at the bedside and keen for support.",
    "Police present when referred.",
    "Says he knows who did it and is worried about going home.",
    "Second attendance this year, known to the team.",
    "Quiet, tired; agreed to a visit later.",
)
CONTACT_NOTES = (
    "Talked through what happened and how he is sleeping.",
    "Safety plan reviewed and updated.",
    "Went with them to the GP appointment.",
    "No answer; left a voicemail.",
    "Message sent, read but no reply.",
    "Met at the cafe near college; talked about the course.",
    "Joined the multi-agency meeting; actions agreed.",
    "Home visit: mum worried about the area.",
    "Talked about football trials next week.",
    "Housing officer called back; form sent.",
)
CONCERN_FACTS = {
    "exploitation": "Says older boys make him hold and move packages.",
    "gang": "Describes pressure to join a group on the estate.",
    "domestic_abuse": "Describes arguments and violence at home.",
    "neglect": "Often without food at home; younger siblings left alone.",
    "self_harm": "Talks about not wanting to be here any more.",
    "sexual_abuse": "Disclosed an assault by an older person.",
    "risk_to_others": "Talks about getting back at the people who hurt him.",
    "other": "Missing from home for two nights last week.",
}
OWN_WORDS = (
    "I can't say no to them.",
    "I just want it to stop.",
    "It's not safe for me round there.",
    "Nobody listens at home.",
    "I'll sort it myself.",
)
SHARED_WITH = ("hospital_safeguarding", "social_care", "police")


# --- the generator ---------------------------------------------------------------------------------


class _Rows:
    """Rows for one table, with its encrypted columns bound to each row for a Core insert."""

    def __init__(self, model: Any) -> None:
        self.table: Table = model.__table__
        # Every row names every column (one executemany); a column's scalar default (a record's
        # ``version`` 1) is its value unless the row gives one.
        self.blank: dict[str, Any] = {
            c.name: c.default.arg if c.default is not None and c.default.is_scalar else None for c in self.table.columns
        }
        self.encrypted = [c for c in self.table.columns if isinstance(c.type, EncryptedType)]
        field_key = getattr(model, "__field_key__", None)
        self.scope_attribute = field_key.attribute if field_key else "id"
        self.pending: list[dict[str, Any]] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        row = self.blank.copy()
        row.update(values)
        for column in self.encrypted:
            if row[column.name] is not None:
                row[column.name] = bind(column, row["id"], row[self.scope_attribute], row[column.name])
        self.pending.append(row)

    def write(self, session: Session) -> None:
        if self.pending:
            session.execute(insert(self.table), self.pending)
            self.written += len(self.pending)
            self.pending = []


@dataclass
class _Person:
    id: uuid.UUID
    date_of_birth: dt.date | None
    estimated_age: int | None
    last_site: str
    values: dict[str, Any]  # copied onto each of their cases (``CasePerson``)


@dataclass
class _Staff:
    workers: dict[str, list[uuid.UUID]]
    supervisors: dict[str, uuid.UUID]
    sites: dict[str, uuid.UUID]
    keys: dict[uuid.UUID, KeyPairs]
    site_publics: dict[str, bytes]


class _Generator:
    def __init__(self, seed: int, now: dt.datetime, staff: _Staff, index: BlindIndex, vault: UnlockedVault) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by design
        self.random = self.rng.random
        self.now = now
        self.today = london_today(now)
        self.staff = staff
        self.index = index
        self.keyring = vault.keyring
        self.case_ids: list[uuid.UUID] = []
        self.rows = {
            model: _Rows(model)
            for model in (
                YoungPerson,
                CaseEpisode,
                CaseKey,
                CaseSiteKey,
                CasePerson,
                CaseStatusChange,
                Incident,
                Contact,
                RiskAssessment,
                SafeguardingConcern,
                PlanGoal,
                FollowUp,
            )
        }
        self.references: dict[str, int] = {}
        self.nhs_numbers: set[str] = set()
        self.names = {group: tuple(part.split() for part in parts) for group, parts in NAMES.items()}
        self.arrivals: list[dt.datetime] = []  # of the cases so far, in order
        self.people: list[_Person] = []  # the person of each case so far
        self.returning = 0
        self.site = Weighted([(code, SITE_WEIGHT[code]) for code in staff.sites])
        first = self.today - dt.timedelta(days=MONTHS * 365 // 12)
        days = [first + dt.timedelta(days=n) for n in range((self.today - first).days + 1)]
        self.day = Weighted([(day, WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month - 1]) for day in days])

    # small helpers
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=self.between(low, high))

    def days(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(days=self.between(low, high))

    def arrival_times(self, count: int) -> list[dt.datetime]:
        latest = self.now - dt.timedelta(minutes=30)
        result: list[dt.datetime] = []
        while len(result) < count:
            day = self.day(self.random)
            local = dt.datetime.combine(day, dt.time(HOUR(self.random), int(self.random() * 60)))
            instant = london_to_utc(local)
            if instant <= latest:
                result.append(instant)
        result.sort()
        return result

    # --- people

    def person(self, site: str, arrival: dt.datetime) -> _Person:
        rng = self.random
        person_id = self.uuid()
        ethnicity = ETHNICITY(rng)
        groups = ETHNIC_NAME_GROUPS[ethnicity]
        sex = SEX(rng)
        male, female, _ = self.names[self.pick(groups)]
        given = self.pick(female if sex == "2" or (sex in "9X" and self.chance(0.5)) else male)
        family_name = self.pick(self.names[self.pick(groups)][2])
        age = AGE(rng)
        arrival_day = london_today(arrival)
        dob: dt.date | None = arrival_day - dt.timedelta(days=int((age + rng()) * 365.2425))
        assert dob is not None
        while not 10 <= age_in_years(dob, arrival_day) <= 25:
            dob += dt.timedelta(days=1 if age_in_years(dob, arrival_day) > 25 else -1)
        estimated = None
        if self.chance(0.04):
            dob, estimated = None, age
        borough = ELSEWHERE(rng) if self.chance(0.09) else CATCHMENT[site](rng)
        if borough == "any":
            borough = self.pick(ALL_BOROUGHS)
        nhs = self.nhs_number() if self.chance(0.85) else None
        postcode = None
        if borough in POSTCODE_DISTRICTS and self.chance(0.9):
            postcode = (
                f"{self.pick(POSTCODE_DISTRICTS[borough].split())} {int(rng() * 10)}"
                f"{self.pick(INWARD_LETTERS)}{self.pick(INWARD_LETTERS)}"
            )
        under_18 = dob is not None and age_in_years(dob, arrival_day) < 18
        carer = self.pick(self.names[self.pick(groups)][1])
        values = dict(
            given_name=given,
            family_name=family_name,
            preferred_name=given[:3] if self.chance(0.08) and len(given) > 4 else None,
            date_of_birth=dob,
            estimated_age=estimated,
            nhs_number=nhs,
            address=f"{1 + int(rng() * 180)} {self.pick(STREETS)}"
            if self.chance(0.7)
            else f"Flat {1 + int(rng() * 60)}, {family_name} {self.pick(ESTATES)}",
            postcode=postcode,
            phone=f"07700 900{int(rng() * 1000):03d}" if self.chance(0.8) else None,
            contacts=f"Mother: {carer} {family_name}, 07700 900{int(rng() * 1000):03d}"
            if under_18 and self.chance(0.7)
            else None,
            school_or_employer=f"{self.pick(STREETS).split()[0]} Academy" if under_18 and self.chance(0.6) else None,
            interpreter_language=LANGUAGES(rng) if self.chance(0.03) else None,
            sex=sex,
            ethnicity=ethnicity,
            borough=borough,
            education_employment=EDUCATION(rng),
            known_to_social_care=self.chance(0.3),
            known_to_youth_justice=self.chance(0.2),
            known_to_camhs=self.chance(0.15),
        )
        self.rows[YoungPerson].add(
            id=person_id,
            nhs_index=self.index.nhs_number(nhs),
            name_dob_index=self.index.name_and_birth_date(given, family_name, dob),
            created_at=arrival,
        )
        return _Person(person_id, dob, estimated, site, values)

    def nhs_number(self) -> str:
        while True:
            body = f"999{int(self.random() * 1_000_000):06d}"
            total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check != 10 and body not in self.nhs_numbers:
                self.nhs_numbers.add(body)
                return f"{body}{check}"

    def returning_person(self, arrival: dt.datetime) -> _Person | None:
        """A person whose earlier case arrived within the last 12 months, still 25 or under."""
        start = bisect.bisect_left(self.arrivals, arrival - dt.timedelta(days=365))
        if start >= len(self.people):
            return None
        person = self.people[start + int(self.random() * (len(self.people) - start))]
        if person.date_of_birth and age_in_years(person.date_of_birth, london_today(arrival)) > 25:
            return None
        return person

    # --- one case

    def case(self, arrival: dt.datetime) -> None:
        site = self.site(self.random)
        person = self.returning_person(arrival) if self.chance(RE_ATTENDANCE_RATE) else None
        if person is not None:
            self.returning += 1
            site = person.last_site if self.chance(0.75) else site
            person.last_site = site
        else:
            person = self.person(site, arrival)
        self.arrivals.append(arrival)
        self.people.append(person)
        story = _CaseStory(self, person, site, arrival)
        self.case_key(story)
        story.write()

    def case_key(self, story: _CaseStory) -> None:
        """The case's own key, wrapped for its worker and site (the keyring seals its rows with it)."""
        key = secrets.token_bytes(32)
        self.case_ids.append(story.id)
        self.keyring.add_case_key(story.id, key)
        site_id = self.staff.sites[story.site]
        kek = pair_key(
            self.staff.keys[story.worker].exchange, self.staff.site_publics[story.site], site_id, 1, story.worker
        )
        wrapped = wrap_key(kek, key, case_key_context(story.id, site_id, 1, story.worker))
        self.rows[CaseKey].add(
            id=self.uuid(), case_id=story.id, account_id=story.worker, site_id=site_id, generation=1, wrapped=wrapped
        )
        site_public = self.staff.site_publics[story.site]
        sealed = seal_to(site_public, key, site_copy_context(story.id, site_id, 1))
        self.rows[CaseSiteKey].add(id=self.uuid(), case_id=story.id, site_id=site_id, generation=1, sealed=sealed)
        self.rows[CasePerson].add(id=self.uuid(), case_id=story.id, **story.person.values)

    def reference(self, site: str, arrival: dt.datetime) -> str:
        prefix = f"{site}-{london_today(arrival):%y}-"
        self.references[prefix] = number = self.references.get(prefix, 0) + 1
        return f"{prefix}{number:05d}"


class _CaseStory:
    """One case from arrival to now: contacts, assessments, concerns, goals, closure, follow-up."""

    def __init__(self, gen: _Generator, person: _Person, site: str, arrival: dt.datetime) -> None:
        self.gen, self.person, self.site, self.arrival = gen, person, site, arrival
        self.id = gen.uuid()
        self.worker = gen.pick(gen.staff.workers[site])
        self.supervisor = gen.staff.supervisors[site]
        self.opened_at = min(arrival + gen.hours(0.3, 10), gen.now)
        self.method = METHOD(gen.random)
        self.contacts: list[tuple[dt.datetime, bool]] = []
        self.risk: str | None = None
        self.next_action: dt.date | None = None
        self.needs: tuple[str, ...] = ()
        self.start_day: dt.date | None = None
        self.level_at_end: str | None = None
        self.goal_rows: list[dict[str, Any]] = []
        self.changes: list[tuple[str, dt.date, str | None, dt.datetime]] = [
            ("opened", london_today(arrival), None, self.opened_at)
        ]

    def contact(
        self,
        at: dt.datetime,
        successful: bool,
        medium: str,
        with_whom: str = "young_person",
        topics: int = 0,
        worker: uuid.UUID | None = None,
    ) -> bool:
        """Log a contact if it has happened by now; False once the story reaches the present."""
        gen = self.gen
        if at > gen.now:
            return False
        self.contacts.append((at, successful))
        due = london_today(at) + dt.timedelta(days=int(gen.between(2, 10))) if gen.chance(0.3) else None
        self.next_action = due or self.next_action
        gen.rows[Contact].add(
            id=gen.uuid(),
            case_id=self.id,
            worker_id=worker or self.worker,
            contact_at=at,
            duration_minutes=int(gen.between(10, 90)) if successful else int(gen.between(0, 5)),
            medium=medium,
            successful=successful,
            contact_with=with_whom,
            topics=tuple(dict.fromkeys(gen.pick(TOPICS) for _ in range(topics))) if successful else (),
            notes=gen.pick(CONTACT_NOTES) if gen.chance(0.8) else None,
            follow_up_due=due,
            created_at=min(at + gen.hours(0, 6), gen.now),
        )
        return True

    def write(self) -> None:
        gen = self.gen
        outcome = OUTCOME(gen.random)
        t = self.opened_at + gen.hours(0.2, 12)
        attempts = 0
        if outcome == "unable":
            for _ in range(int(gen.between(2, 6))):
                if not self.contact(t, False, "bedside" if attempts == 0 else ATTEMPT_MEDIUM(gen.random)):
                    break
                attempts += 1
                t += gen.days(1, 4)
        else:
            while gen.chance(0.3) and attempts < 2:
                if not self.contact(t, False, ATTEMPT_MEDIUM(gen.random)):
                    break
                attempts += 1
                t += gen.days(0.5, 3)
            if (
                self.contact(t, True, FIRST_MEDIUM(gen.random), topics=int(gen.between(1, 3)))
                and outcome == "transferred"
            ):
                self.contact(t + gen.days(1, 5), True, "multi_agency", "professional", 1)
        first_success = next((at for at, ok in self.contacts if ok), None)
        end = t
        if outcome == "engaged" and first_success is not None:
            end = self.support(first_success)
        self.close_and_record(outcome, first_success, end, attempts)

    def support(self, start: dt.datetime) -> dt.datetime:
        """Weeks of contacts after the first successful one; returns when support ended."""
        gen = self.gen
        weeks = 4 if gen.chance(0.55) else 12
        count = int(gen.between(3, 8)) if weeks == 4 else int(gen.between(6, 17))
        step = dt.timedelta(weeks=weeks) / count
        at = start
        for _ in range(count):
            at += step * gen.between(0.5, 1.5)
            ok = not gen.chance(0.12)
            medium = LATER_MEDIUM(gen.random) if ok else ATTEMPT_MEDIUM(gen.random)
            if not self.contact(
                at, ok, medium, CONTACT_WITH(gen.random) if ok else "young_person", int(gen.between(1, 4))
            ):
                break
        self.assessments(start, at)
        self.goals(start)
        return at

    def assessments(self, start: dt.datetime, end: dt.datetime) -> None:
        gen = self.gen
        day = london_today(start + gen.days(0, 7))
        if day > gen.today:
            return
        level = RISK(gen.random)
        needs = tuple(dict.fromkeys(NEEDS(gen.random) for _ in range(int(gen.between(1, 5)))))
        self.needs, self.start_day = needs, day
        self.assessment(day, "start", level, needs, ())
        if gen.chance(0.12):
            middle = london_today(start + (end - start) / 2)
            if middle <= gen.today and middle > day:
                level = self.shift(level)
                self.assessment(middle, "change", level, needs, ())
        self.level_at_end = self.shift(level)

    def shift(self, level: str) -> str:
        order = ["low", "medium", "high"]
        roll = self.gen.random()
        move = -1 if roll < 0.55 else (1 if roll > 0.9 else 0)
        return order[max(0, min(2, order.index(level) + move))]

    def assessment(
        self, day: dt.date, stage: str, level: str, needs: tuple[str, ...], met: tuple[str, ...], signed: bool = False
    ) -> None:
        gen = self.gen
        gen.rows[RiskAssessment].add(
            id=gen.uuid(),
            case_id=self.id,
            assessed_by=self.worker,
            assessed_on=day,
            stage=stage,
            risk_level=level,
            risk_factors=tuple(dict.fromkeys(RISK_FACTORS(gen.random) for _ in range(int(gen.between(1, 5))))),
            protective_factors=tuple(dict.fromkeys(gen.pick(PROTECTIVE) for _ in range(int(gen.between(0, 4))))),
            needs_identified=tuple(n for n in needs if n not in met),
            needs_met=met,
            notes="Discussed in supervision." if gen.chance(0.3) else None,
            signed_off_by=self.supervisor if signed else None,
            signed_off_at=min(dt.datetime.combine(day, dt.time(17), dt.UTC) + gen.days(1, 10), gen.now)
            if signed
            else None,
            created_at=min(dt.datetime.combine(day, dt.time(16), dt.UTC), gen.now),
        )
        self.risk = level

    def goals(self, start: dt.datetime) -> None:
        gen = self.gen
        for need in self.needs[:3]:
            created = min(start + gen.days(0, 10), gen.now)
            goal = {
                "id": gen.uuid(),
                "case_id": self.id,
                "goal": GOALS[need],
                "created_at": created,
                "target_date": london_today(created) + dt.timedelta(weeks=int(gen.between(2, 11))),
            }
            self.goal_rows.append(goal)

    def close_and_record(
        self, outcome: str, first_success: dt.datetime | None, end: dt.datetime, attempts: int
    ) -> None:
        gen = self.gen
        closing: dt.datetime | None = None
        reason = note = None
        if outcome == "engaged" and first_success is not None:
            closing = end + gen.days(1, 10)
            reason = CLOSURE_ENGAGED(gen.random) if gen.chance(0.93) else None
        elif outcome == "unable" and attempts >= 3:
            closing = max(at for at, _ in self.contacts) + gen.days(14, 21)
            reason, note = "disengaged", f"Unable to contact after {attempts} attempts."
        elif outcome in {"declined", "transferred"} and first_success is not None:
            closing = end + gen.days(1, 7)
            reason, note = (
                ("other", "Declined support.")
                if outcome == "declined"
                else ("transferred", "Transferred to the service nearer home.")
            )
        if closing is None or closing > gen.now or reason is None:
            closing = reason = note = None
        closed_on = None if closing is None else london_today(closing)
        reopen_count = 0
        if closing is not None:
            self.changes.append(("closed", london_today(closing), reason, closing))
        if closed_on is not None and reason != "deceased" and gen.chance(0.04):
            reopened_at = dt.datetime.combine(closed_on, dt.time(10), dt.UTC) + gen.days(10, 60)
            if reopened_at <= gen.now:
                reopen_count = 1
                closed_on = reason = note = None
                self.changes.append(("reopened", london_today(reopened_at), None, reopened_at))
                at = reopened_at
                for _ in range(int(gen.between(1, 5))):
                    if not self.contact(at, not gen.chance(0.2), LATER_MEDIUM(gen.random), topics=2):
                        break
                    at += gen.days(3, 10)
                if at + gen.days(3, 20) <= gen.now and gen.chance(0.5):
                    closed_on, reason = london_today(at), ("goals_met" if gen.chance(0.6) else "disengaged")
                    self.changes.append(("closed", closed_on, reason, at))
        if closed_on is not None and self.level_at_end and self.start_day and reason != "deceased" and gen.chance(0.85):
            met = tuple(n for n in self.needs if gen.chance(0.6 if reason == "goals_met" else 0.25))
            self.assessment(
                max(closed_on, self.start_day), "end", self.level_at_end, self.needs, met, signed=gen.chance(0.75)
            )
        self.record(outcome, closed_on, reason, note, reopen_count)

    def record(
        self, outcome: str, closed_on: dt.date | None, reason: str | None, note: str | None, reopen_count: int
    ) -> None:
        gen = self.gen
        successes = [at for at, ok in self.contacts if ok]
        engagement = "not_yet_contacted"
        if self.contacts:
            engagement = "contact_attempted"
            if outcome == "unable" and len(self.contacts) >= 3:
                engagement = "unable_to_contact"
        if successes:
            engagement = {"declined": "declined", "transferred": "transferred"}.get(outcome, "engaged")
        first_day = london_today(successes[0]) if successes else None
        status = "closed" if closed_on else "open"
        if status == "open" and self.next_action is None:
            self.next_action = london_today(self.contacts[-1][0] if self.contacts else self.opened_at) + dt.timedelta(
                days=int(gen.between(1, 14))
            )
        age = (
            age_in_years(self.person.date_of_birth, london_today(self.arrival))
            if self.person.date_of_birth
            else self.person.estimated_age
        )
        gen.rows[CaseEpisode].add(
            id=self.id,
            reference=gen.reference(self.site, self.arrival),
            person_id=self.person.id,
            site_id=gen.staff.sites[self.site],
            worker_id=self.worker,
            supervisor_id=self.supervisor,
            arrival_at=self.arrival,
            age_at_arrival=age,
            referral_source=REFERRAL_SOURCE(gen.random),
            consent_support=None if not successes else engagement != "declined",
            consent_share=None if engagement != "engaged" else gen.chance(0.85),
            consent_recorded_on=first_day,
            engagement=engagement,
            status=status,
            opened_at=self.opened_at,
            closed_on=closed_on,
            closure_reason=reason,
            closure_note=note,
            reopen_count=reopen_count,
            first_contact_at=successes[0] if successes else None,
            last_successful_contact_at=successes[-1] if successes else None,
            current_risk=self.risk,
            next_action_due=self.next_action if status == "open" else None,
            notes=gen.pick(REFERRAL_NOTES) if gen.chance(0.7) else None,
            import_key=None,
            created_at=self.opened_at,
        )
        self.incident()
        for change, day, why, at in self.changes:
            gen.rows[CaseStatusChange].add(
                id=gen.uuid(), case_id=self.id, change=change, changed_on=day, reason=why, recorded_at=at
            )
        for goal in self.goal_rows:
            done = closed_on is not None
            goal["status"] = (
                ("achieved" if reason == "goals_met" or gen.chance(0.3) else "not_achieved")
                if done
                else ("in_progress" if gen.chance(0.7) else "not_started")
            )
            gen.rows[PlanGoal].add(**goal)
        if successes and outcome in {"engaged", "declined"} and gen.chance(0.16):
            self.concern(successes[0] + gen.hours(0, 48))
        if closed_on is not None and outcome == "engaged" and reason != "deceased":
            self.follow_up(closed_on)

    def incident(self) -> None:
        gen = self.gen
        location = LOCATION(gen.random)
        street = gen.pick(STREETS)
        description = {
            "street": f"Outside a shop on {street}",
            "home": "At a friend's flat",
            "park": gen.pick(PARKS),
            "transport": f"At {gen.pick(STATIONS)} station",
            "school": "Outside the school gates",
            "licensed": f"Outside a bar on {street}",
            "workplace": "At work",
            "other": "Estate stairwell",
        }.get(location)
        gen.rows[Incident].add(
            id=gen.uuid(),
            case_id=self.id,
            assault_at=None if gen.chance(0.08) else self.arrival - gen.hours(0.25, 8),
            assault_method=self.method,
            assault_method_other=gen.pick(METHOD_OTHER) if self.method == "other" else None,
            assault_location_type=location,
            assault_location_description=description if gen.chance(0.8) else None,
            injury_description=gen.pick(INJURY[self.method]) if gen.chance(0.9) else None,
        )

    def concern(self, raised_at: dt.datetime) -> None:
        gen = self.gen
        if raised_at > gen.now:
            return
        category = SAFEGUARDING(gen.random)
        concern_id = gen.uuid()
        first = {
            "concern_id": concern_id,
            "case_id": self.id,
            "recorded_by": self.worker,
            "raised_at": raised_at,
            "category": category,
            "facts": CONCERN_FACTS[category],
            "own_words": gen.pick(OWN_WORDS) if gen.chance(0.6) else None,
            "action_taken": "Discussed with the hospital safeguarding team.",
            "status": "open",
            "shared_with": ("hospital_safeguarding",) if gen.chance(0.5) else (),
            "shared_on": london_today(raised_at) if gen.chance(0.5) else None,
        }
        if not first["shared_with"]:
            first["shared_on"] = None
        gen.rows[SafeguardingConcern].add(
            id=gen.uuid(), version=1, recorded_at=min(raised_at + gen.hours(0, 2), gen.now), **first
        )
        amended_at = raised_at + gen.days(1, 10)
        if gen.chance(0.35) and amended_at <= gen.now:
            shared = tuple(
                dict.fromkeys((*first["shared_with"], "social_care", *(("police",) if gen.chance(0.4) else ())))
            )
            gen.rows[SafeguardingConcern].add(
                **{
                    **first,
                    "shared_with": shared,
                    "shared_on": london_today(amended_at),
                    "status": "closed" if gen.chance(0.4) else ("nfa" if gen.chance(0.3) else "open"),
                    "action_taken": "Referred to children's social care (MASH); strategy meeting held.",
                },
                id=gen.uuid(),
                version=2,
                recorded_at=amended_at,
                shared_reference=f"MASH-{amended_at:%y}-{int(gen.random() * 100000):05d}",
                signed_off_by=self.supervisor if gen.chance(0.6) else None,
                signed_off_at=amended_at if gen.chance(0.6) else None,
            )

    def follow_up(self, closed_on: dt.date) -> None:
        gen = self.gen
        day = closed_on + dt.timedelta(days=int(gen.between(182, 200)))
        if day > gen.today or not gen.chance(0.6):
            return
        reached = gen.chance(0.7)
        gen.rows[FollowUp].add(
            id=gen.uuid(),
            case_id=self.id,
            followed_up_on=day,
            reached=reached,
            reinjured=gen.chance(0.07) if reached else None,
            in_education_or_work=gen.chance(0.6) if reached else None,
            notes="Doing well; back at college." if reached and gen.chance(0.5) else None,
            recorded_by=self.worker,
        )


# --- loading -----------------------------------------------------------------------------------------


def _check_vault(vault: UnlockedVault, usernames: list[str]) -> dict[str, uuid.UUID]:
    with vault.session() as session:
        if session.scalar(select(func.count()).select_from(CaseEpisode)):
            raise InvalidInput(
                "this vault already holds cases: demo data goes only into a new vault "
                "(youthcase init --db NEW_FILE), so it never mixes with real records"
            )
        taken = list(session.scalars(select(AppUser.username).where(AppUser.username.in_(usernames))))
        if taken:
            raise InvalidInput(
                f"the demo accounts already exist ({taken[0]}, ...): an earlier demo run "
                "was interrupted; load the demo into a new vault"
            )
        sites = {s.code: s.id for s in session.scalars(select(Site).where(Site.active))}
    missing = [s.code for s in MAJOR_TRAUMA_CENTRES if s.code not in sites]
    if missing:
        raise InvalidInput(f"the demo needs the four major trauma centres; missing: {', '.join(missing)}")
    return {s.code: sites[s.code] for s in MAJOR_TRAUMA_CENTRES}


def demo_usernames() -> list[tuple[str, Role, str]]:
    result = []
    for site in MAJOR_TRAUMA_CENTRES:
        code = site.code.lower()
        result.append((f"demo.{code}.supervisor", Role.SUPERVISOR, site.code))
        result += [(f"demo.{code}.worker{n}", Role.WORKER, site.code) for n in range(1, WORKERS_PER_SITE + 1)]
    return result


def _create_staff(
    vault: UnlockedVault, seed: int, sites: dict[str, uuid.UUID], recovery_key: str
) -> tuple[_Staff, list[DemoAccount], bytes]:
    """The demo staff, with key pairs, admitted to their sites with the recovery key (break glass).

    Returns the staff, their accounts (with temporary passwords) and the matching key."""
    names = random.Random(f"staff-{seed}")  # noqa: S311 - synthetic names
    accounts_service = AccountService(vault)
    staff = _Staff({code: [] for code in sites}, {}, sites, {}, {})
    accounts = []
    created: list[tuple[uuid.UUID, str, str]] = []
    for username, role, site in demo_usernames():
        group = NAMES[names.choice(sorted(NAMES))]
        full_name = f"{names.choice(group[names.randrange(2)].split())} {names.choice(group[2].split())}"
        password = secrets.token_urlsafe(12)
        summary = accounts_service.add_user(username, role, password, [site], full_name)
        if role is Role.SUPERVISOR:
            staff.supervisors[site] = summary.user_id
        else:
            staff.workers[site].append(summary.user_id)
        accounts.append(DemoAccount(username, role, site, password))
        created.append((summary.user_id, username, password))
    recovery = recovery_key_pairs(recovery_key, vault.vault_id)
    breaking_glass = Signer.recovery(recovery)
    now = vault.clock.now()
    keyring = vault.keyring
    with vault.session() as session:
        matching = open_escrow(session, recovery, "matching", MATCHING_SUBJECT, 0)
        for user_id, username, password in created:
            # The demo staff get their keys at once, signed with the enrolment key the recovery key holds.
            enrolment = Ed25519PrivateKey.from_private_bytes(open_escrow(session, recovery, "enrolment", user_id, 0))
            keys = staff.keys[user_id] = KeyPairs.generate()
            directory = keyring.directory
            publish_account_keys(session, user_id, keys, now, enrolment, directory.recovery_exchange, vault.vault_id)
            secrets_ = SlotSecrets(vault.vault_key, directory.pin, keys)
            slot = password_slot(secrets_, vault.vault_id, str(user_id), password, vault.kdf)
            vault.keystore.put_slot(login_id(vault.vault_id, username), slot)
        session.flush()
        directory = keyring.load_directory(session)
        for code, site_id in sites.items():
            site_key = current_site_key(session, site_id)
            staff.site_publics[code] = directory.site_publics[(site_id, site_key.generation)]
            private = SiteKeyPair.from_bytes(open_escrow(session, recovery, "site", site_id, site_key.generation))
            for user_id in [staff.supervisors[code], *staff.workers[code]]:
                grant = seal_grant(
                    session, site_id, site_key.generation, user_id, matching, private, breaking_glass, now, directory
                )
                append_event(
                    session,
                    breaking_glass,
                    vault.vault_id,
                    vault.clock,
                    AuditAction.BREAK_GLASS,
                    "site_grant",
                    grant.id,
                )
        session.add(VaultSetting(name="demo_vault", value="yes"))
    return staff, accounts, matching


@contextlib.contextmanager
def _key_store_restored_on_failure(vault: UnlockedVault) -> Iterator[None]:
    """The header file as it was, if the demo fails: the database rolls back its one transaction,
    and the demo staff's slots must go with it. (Killed, the process leaves those slots behind:
    they open no account, and a new demo run replaces them.) A team server's slots are rows."""
    header = vault.location.header_path if vault.location.path is not None else None
    before = None if header is None else header.read_bytes()
    try:
        yield
    except BaseException:
        if header is not None and before is not None:
            write_atomically(header, before)
        raise


def load_demo_data(
    vault: UnlockedVault, cases: int, seed: int, recovery_key: str, progress: Progress | None = None
) -> DemoResult:
    """Create the demo staff and ``cases`` cases over the 24 months before now (see the module doc)."""
    started = time.perf_counter()
    try:
        require(vault.actor, Permission.MANAGE_USERS)
    except PermissionDenied:
        raise PermissionDenied(
            "only an administrator can load demo data: it creates the demo staff accounts (log in as an administrator)"
        ) from None
    if not 1 <= cases <= MAX_CASES:
        raise InvalidInput(f"the number of demo cases must be 1-{MAX_CASES:,}")
    sites = _check_vault(vault, [name for name, _, _ in demo_usernames()])
    vault.check_recovery_key(recovery_key)  # before anything is written
    with vault.acting_as_setup_role(), _key_store_restored_on_failure(vault), vault.one_transaction():
        staff, accounts, matching = _create_staff(vault, seed, sites, recovery_key)
        generator = _Generator(seed, vault.clock.now(), staff, BlindIndex(matching), vault)
        arrivals = generator.arrival_times(cases)
        sqlite = vault.engine.dialect.name == "sqlite"
        # One transaction, written in batches: the random row ids scatter each batch over every index,
        # so committing per batch would rewrite (and re-encrypt) most index pages each time.
        with vault.session() as session:
            if sqlite:  # and keep those index pages in memory meanwhile
                session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
            for start in range(0, cases, BATCH_CASES):
                for arrival in arrivals[start : start + BATCH_CASES]:
                    generator.case(arrival)
                for rows in generator.rows.values():
                    rows.write(session)
                if progress is not None:
                    progress(min(start + BATCH_CASES, cases), cases)
            vault.audit(session, AuditAction.IMPORT, "demo_data", None)
    vault.keyring.forget_cases(generator.case_ids)  # the administrator keeps no case key
    ServiceDirectory(vault).add_starter_services()  # so the demo's first referral can be made
    if sqlite:
        with vault.session() as session:
            session.execute(text(f"PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"))
    return DemoResult(
        seed,
        accounts,
        {rows.table.name: rows.written for rows in generator.rows.values()},
        generator.returning,
        time.perf_counter() - started,
    )


__all__ = ["DemoAccount", "DemoResult", "demo_usernames", "load_demo_data"]
