"""Points (积分): awarded from events and by staff, corrected by reversal, totalled and ranked."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.db import points as db
from gridsvc.db import visits as places
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import Conflict, Forbidden, InputError, NotFound
from gridsvc.services.guard import require_role, require_scope, safe_text

EVENTS = ("visit", "request_on_time", "reception", "suggestion")


@dataclass(frozen=True)
class Period:
    """A span points are totalled over: a month, a quarter, a year or a term of years."""

    label: str
    start: dt.date
    end: dt.date


def parse_period(text: str | None, today: dt.date | None = None) -> Period:
    """'2026', '2026-03', '2026Q1' (or '2026-Q1'), a term '2022-2026'; None: this year."""
    text = (text or str((today or dt.date.today()).year)).strip()
    try:
        return _parse_period(text)
    except ValueError:  # year 0000 and the like
        pass
    raise InputError(
        f"period {text[:40]!r}: give a year (2026), a month (2026-03), a quarter (2026Q1) or a "
        "term of years (2022-2026)"
    )


def _parse_period(text: str) -> Period:
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Period(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text, re.IGNORECASE):
        start = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
        return Period(text.upper(), *db.cap_window(start, "quarter"))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period(text, *db.cap_window(dt.date(year, month, 1), "month"))
    if m := re.fullmatch(r"(\d{4})-(\d{4})", text):  # a term of office
        first, last = int(m[1]), int(m[2])
        if first < last <= first + 10:
            return Period(text, dt.date(first, 1, 1), dt.date(last, 12, 31))
    raise ValueError(text)


def _rep(conn: Connection, code: str) -> dict:
    found = places.rep_place(conn, code)
    if found is None:
        raise NotFound(f"representative {code}: no such representative")
    return found


def _require_rep_scope(actor: Actor, rep: dict, doing: str) -> None:
    if not actor.scope.covers(rep["community_code"], rep["section_code"], rep["code"]):
        raise Forbidden(f"{doing}: outside your scope ({actor.scope})")


def award_event(
    conn: Connection,
    actor: Actor,
    event: str,
    representative: str,
    source: str,
    day: dt.date,
) -> int | None:
    """Points for an event another module logged (e.g. the requests module: event
    'request_on_time', source 'request:ID'): counted once per source, within the task's
    cap; the new entry's id, or None when nothing was added."""
    require_role(actor, Role.staff, "award points")
    if event not in EVENTS:
        raise InputError(f"event {event!r}: choose {', '.join(EVENTS)}")
    safe_text(source, field="source", max_length=100)
    with transaction(conn):
        rep = _rep(conn, representative)
        _require_rep_scope(actor, rep, "award points")
        task = db.task(conn, event=event)
        if task is None:
            raise NotFound(f"no point task counts the event {event}")
        return db.award(conn, rep["id"], task, day, actor=actor.name, source=source)


def award_by_staff(
    conn: Connection,
    actor: Actor,
    representative: str,
    task_code: str,
    day: dt.date,
    reason: str,
) -> int | None:
    """Points for a task staff enter (policy publicity, a study session ...), with a reason;
    None when the task's cap for the period is reached."""
    require_role(actor, Role.staff, "award points")
    safe_text(reason, field="reason", max_length=500)
    if not reason.strip():
        raise InputError("reason: say why the points are given")
    with transaction(conn):
        rep = _rep(conn, representative)
        _require_rep_scope(actor, rep, "award points")
        task = db.task(conn, code=task_code)
        if task is None:
            raise NotFound(f"task {task_code}: no such point task")
        if task["counted"] != "staff":
            raise InputError(
                f"task {task_code}: counted from events ({task['event']}), not by hand"
            )
        return db.award(conn, rep["id"], task, day, actor=actor.name, reason=reason)


def correct(conn: Connection, actor: Actor, entry_id: int, reason: str) -> int:
    """Reverse an entry by a new one of the opposite sign, dated as the original (so the
    original's period nets to nothing); the entry itself is never edited."""
    require_role(actor, Role.staff, "correct points")
    safe_text(reason, field="reason", max_length=500)
    if not reason.strip():
        raise InputError("reason: say why the entry is corrected")
    with transaction(conn):
        original = db.entry(conn, entry_id)
        if original is None:
            raise NotFound(f"point entry {entry_id}: no such entry")
        require_scope(actor, original["community_code"], original["section_code"], "correct")
        if original["corrects"] is not None:
            raise Conflict(f"point entry {entry_id} is itself a correction")
        if original["corrected"]:
            raise Conflict(f"point entry {entry_id} was corrected already")
        return db.reverse(conn, original, original["earned_on"], reason, actor.name)


def tasks(conn: Connection, actor: Actor) -> pd.DataFrame:
    """The point task table (public: it is what the notice board explains)."""
    return db.tasks(conn)


def totals(
    conn: Connection,
    actor: Actor,
    period: Period,
    *,
    community: str | None = None,
    section: str | None = None,
) -> pd.DataFrame:
    """Each active representative's points in the period with ranks in their group, section
    and community. Names and points are public (the notice board shows them)."""
    return db.totals(conn, period.start, period.end, community=community, section=section)


@dataclass(frozen=True)
class RepresentativePoints:
    code: str
    name: str
    period: Period
    points: float
    group_rank: int
    section_rank: int
    community_rank: int
    entries: pd.DataFrame


def representative_points(
    conn: Connection, actor: Actor, code: str, period: Period
) -> RepresentativePoints:
    """One representative's total, ranks and (to themselves and staff) the entries."""
    rep = _rep(conn, code)
    table = db.totals(conn, period.start, period.end, community=rep["community_code"])
    mine = table[table["rep_code"] == code]
    if mine.empty:
        raise NotFound(f"representative {code}: not active")
    row = mine.iloc[0]
    own = actor.scope.covers(rep["community_code"], rep["section_code"], code)
    entries = db.entries(conn, code, period.start, period.end)
    if not (own and actor.role >= Role.representative):
        entries = entries.iloc[0:0]
    return RepresentativePoints(
        code,
        rep["name"],
        period,
        float(row["points"]),
        int(row["group_rank"]),
        int(row["section_rank"]),
        int(row["community_rank"]),
        entries,
    )


def notice_board_html(conn: Connection, actor: Actor, community: str, period: Period) -> str:
    """The community's notice board (阳光栏): public, names and counts only."""
    from gridsvc.maps.noticeboard import notice_board

    name = db.community_name(conn, community)
    if name is None:
        raise NotFound(f"community {community}: no such community")
    board = db.board(conn, community, period.start, period.end)
    return notice_board(name, period.label, period.start, period.end, board)


def notice_board_pdf(
    conn: Connection, actor: Actor, community: str, period: Period, out: Path
) -> Path:
    """The notice board as an A3 PDF, printed by Chromium from the page."""
    from gridsvc.maps.chromium import printer

    html = notice_board_html(conn, actor, community, period)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "noticeboard.html"
        page.write_text(html, encoding="utf-8")
        with printer() as p:
            p.pdf(page.as_uri(), out, paper="A3", landscape=False)
    return out
