"""The organisation's people: the roster imported with history, who serves a section, whom a
household can call (its representative, group leader and section chief), and the gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridsvc.access import Actor, Role, apply_frame
from gridsvc.db import imports, people
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import NotFound
from gridsvc.ingest.roster import RosterIssue, read_roster
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role, require_street_scope
from gridsvc.services.lookups import RepresentativeContact, household_representative

REACHABLE = ("总网格长", "片区网格长")  # whose phone is public: their role is to be reached
PERSON_COLUMNS = {"name": ("person.name", "name"), "phone": ("person.phone", "phone")}


@dataclass(frozen=True)
class PersonRole:
    name: str | None
    phone: str | None
    role: str
    level: str
    area_code: str
    start_date: str
    end_date: str | None


@dataclass
class RosterReport:
    file: str
    rows_read: int
    accepted: int
    roles_added: int = 0
    roles_ended: int = 0
    rejected: list[RosterIssue] = field(default_factory=list)

    def summary(self) -> str:
        reasons = pd.Series([i.reason for i in self.rejected]).value_counts().to_dict()
        refused = ", ".join(f"{k} {v}" for k, v in reasons.items()) or "none"
        return (
            f"roster {self.file}: read {self.rows_read} rows, accepted {self.accepted}, "
            f"rejected {len(self.rejected)} ({refused}); roles added {self.roles_added}, "
            f"ended {self.roles_ended} (their history is kept)"
        )


@dataclass(frozen=True)
class HouseholdContacts:
    household: str
    representative: RepresentativeContact | None
    group_leader: PersonRole | None
    section_chief: PersonRole | None


def import_roster(conn: Connection, actor: Actor, path: Path) -> RosterReport:
    """Import a roster in one transaction; rows read = accepted + rejected, always."""
    require_role(actor, Role.planner, "import the roster")
    require_street_scope(actor, "an import")
    roster = read_roster(path)
    rejected = list(roster.rejected)
    with transaction(conn):
        unknown = people.stage(conn, roster.rows)
        rejected += [
            RosterIssue(
                int(r.row),
                "unknown_area",
                f"{r.role} serves a {r.level}: no {r.level} {r.area_code!r}",
            )
            for r in unknown.itertuples()
        ]
        people.drop_staged(conn, [int(r) for r in unknown["row"]])
        batch = imports.open_batch(conn, "roster", path.name, roster.table.checksum, actor.name)
        written = people.write_staged(conn, batch)
        report = RosterReport(
            path.name,
            len(roster.table.frame),
            len(roster.rows) - len(unknown),
            rejected=sorted(rejected, key=lambda i: i.row),
            **written,
        )
        assert report.accepted + len(report.rejected) == report.rows_read  # nothing lost
        imports.record_batch(
            conn, batch, {"rows_read": report.rows_read, "accepted": report.accepted, **written}
        )
    return report


def _roles(actor: Actor, frame: pd.DataFrame) -> list[PersonRole]:
    seen = apply_frame(
        actor, frame.assign(publish_phone=frame["role"].isin(REACHABLE)), PERSON_COLUMNS
    )
    return [
        PersonRole(
            r["name"],
            r["phone"],
            r["role"],
            r["level"],
            r["area_code"],
            str(r["start_date"]),
            None if pd.isna(r["end_date"]) else str(r["end_date"]),
        )
        for r in seen.to_dict("records")
    ]


def section_people_frame(conn: Connection, actor: Actor, code: str) -> pd.DataFrame:
    """Who serves a section now, as a frame for maps and print (policy applied; the caller
    audits the read with the rest of the section)."""
    frame = people.people(conn, section=code)
    return apply_frame(
        actor, frame.assign(publish_phone=frame["role"].isin(REACHABLE)), PERSON_COLUMNS
    )[["name", "phone", "role", "level", "area_code"]]


def section_people(
    conn: Connection, actor: Actor, code: str, *, history: bool = False
) -> list[PersonRole]:
    """Who serves a section: its chief, grid workers and petition agents, its groups' leaders
    and vice-leaders, and its community's director (with history if asked: staff)."""
    if history:
        require_role(actor, Role.staff, "read the roster's history")
    frame = people.people(conn, section=code, current=not history)
    if frame.empty and code not in set(people.people(conn)["area_code"]):
        from gridsvc.services.places import require_place

        require_place(conn, "section", code)
    found = _roles(actor, frame)
    record_read(conn, actor, "people.section", code, len(found))
    return found


def household_contacts(conn: Connection, actor: Actor, household: str) -> HouseholdContacts:
    """The household's representative, group leader and section chief, in one answer."""
    require_role(actor, Role.viewer, "look up a household")
    place = people.household_place(conn, household)
    if place is None:
        raise NotFound(f"household {household}: no such household")
    try:
        rep = household_representative(conn, actor, household)
    except NotFound:
        rep = None
    roles = _roles(actor, people.people(conn, section=place["section_code"]))
    leader = next(
        (r for r in roles if r.role == "小组长" and r.area_code == place["group_code"]), None
    )
    chief = next(
        (r for r in roles if r.role == "片区网格长" and r.area_code == place["section_code"]), None
    )
    return HouseholdContacts(household, rep, leader, chief)


def gaps(conn: Connection, actor: Actor) -> pd.DataFrame:
    """Sections without a chief, groups without a leader, communities without a director."""
    require_role(actor, Role.viewer, "read the roster's gaps")
    return people.gaps(conn)
