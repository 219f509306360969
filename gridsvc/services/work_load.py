"""Loading a year of work (the sample's files, or a community system's export) through the
visits, points and rota use cases: `gridsvc work load FOLDER`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from gridsvc.access import Actor, Role
from gridsvc.db import points, rota
from gridsvc.db import visits as db_visits
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError
from gridsvc.sample_work import read
from gridsvc.services import rota as rota_service
from gridsvc.services.guard import require_role, require_street_scope
from gridsvc.services.visits import KINDS


@dataclass(frozen=True)
class WorkLoaded:
    visits: int
    visit_points: int
    staff_points: int
    unavailable: int
    duties: int
    attended: int
    already: bool = False  # the store held work records: nothing was loaded again


def load_work(
    conn: Connection, actor: Actor, folder: Path, *, year: int = 2026, per_day: int = 2
) -> WorkLoaded:
    """Store a folder's work_*.csv: visits (points awarded as events), staff points (within
    caps), dates off, then the year's rota and how each reception went."""
    require_role(actor, Role.planner, "load work records")
    require_street_scope(actor, "loading work records")
    if db_visits.any_recorded(conn):  # loading twice would count visits twice
        return WorkLoaded(0, 0, 0, 0, 0, 0, already=True)
    work = read(folder)
    frame = work["visits"]
    if len(frame):
        bad = frame[~frame["kinds"].map(lambda k: set(k.split(",")) <= set(KINDS))]
        if len(bad):
            example = bad.iloc[0]["kinds"][:40]
            raise InputError(f"work_visits.csv: unknown kinds in {len(bad)} rows, e.g. {example}")
        if (frame["visited_on"] > dt.date.today()).any():
            raise InputError("work_visits.csv: visits in the future")
    staff = unavailable = 0
    with transaction(conn):
        stored = db_visits.insert_many(conn, frame, actor.name) if len(frame) else []
        visit_points = points.award_visits_bulk(conn, [v for v, _ in stored], actor.name)
        reps: dict[str, dict] = {}
        for row in work["points"].itertuples():
            rep = reps.get(row.representative) or db_visits.rep_place(conn, row.representative)
            task = points.task(conn, code=row.task)
            if rep is None or task is None or task["counted"] != "staff":
                raise InputError(f"work_points.csv: {row.representative} / {row.task} unknown")
            reps[row.representative] = rep
            staff += points.award(conn, rep["id"], task, row.day, actor=actor.name,
                                  reason=row.reason) is not None  # fmt: skip
        for code, part in (
            work["unavailable"].groupby("representative") if len(work["unavailable"]) else []
        ):
            rep = db_visits.rep_place(conn, str(code))
            if rep is not None:
                rota.add_unavailable(conn, rep["id"], list(part["day"]))
                unavailable += len(part)
    made = rota_service.make_rota(conn, actor, year, per_day=per_day)
    attended = _receptions(conn, actor, work["receptions"], year)
    return WorkLoaded(len(stored), visit_points, staff, unavailable, made.duties, attended)


def _receptions(conn: Connection, actor: Actor, frame, year: int) -> int:  # type: ignore[no-untyped-def]
    """Attendance per duty: the first `no_shows` on duty (by code) stayed away; the residents
    are shared among those who came."""
    if not len(frame):
        return 0
    duties = rota.duties(conn, dt.date(year, 1, 1), dt.date(year + 1, 1, 31))
    attended = 0
    for row in frame.itertuples():
        mine = duties[
            (duties["community_code"] == row.community) & (duties["nominal"] == row.nominal)
        ]
        mine = mine.sort_values("rep_code")
        came = mine.iloc[int(row.no_shows) :]
        share, extra = divmod(int(row.residents), max(len(came), 1))
        for i, duty in enumerate(mine.itertuples()):
            present = duty.Index in came.index
            rota_service.record_attendance(
                conn, actor, duty.station_code, duty.day, duty.rep_code, attended=present,
                residents=(share + (i - int(row.no_shows) < extra)) if present else 0,
            )  # fmt: skip
            attended += present
    return attended
