"""The reception rota (逢6接待): days moved off holidays, a fair rotation, attendance, .ics."""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.db import points
from gridsvc.db import rota as db
from gridsvc.db import visits as places
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import Conflict, Forbidden, InputError, NotFound
from gridsvc.services.guard import require_role, require_street_scope
from gridsvc.workdays import Calendar

NOMINAL_DAYS = (6, 16, 26)
TZ = ZoneInfo("Asia/Shanghai")
HOURS = (dt.time(9, 0), dt.time(11, 30))  # a morning's reception


def reception_days(year: int, calendar: Calendar | None = None) -> list[tuple[dt.date, dt.date]]:
    """(nominal, actual) for each 6th, 16th and 26th of the year: a day that is not a working
    day moves to the next working day (the requests' calendar)."""
    calendar = calendar or Calendar()
    return [
        (day, calendar.next_workday(day))
        for month in range(1, 13)
        for day in (dt.date(year, month, d) for d in NOMINAL_DAYS)
    ]


def rotate(
    days: Iterable[dt.date],
    people: list[int],
    per_day: int,
    unavailable: dict[int, set[dt.date]] | None = None,
) -> dict[dt.date, list[int]]:
    """Who is on duty each day: the available people with the fewest duties so far (then the
    longest since their last one, then by order given). Without unavailable dates every
    count differs from any other by at most one."""
    away = unavailable or {}
    count = dict.fromkeys(people, 0)
    last = dict.fromkeys(people, dt.date.min)
    rank = {p: i for i, p in enumerate(people)}
    plan: dict[dt.date, list[int]] = {}
    for day in days:
        free = [p for p in people if day not in away.get(p, ())]
        chosen = sorted(free, key=lambda p: (count[p], last[p], rank[p]))[:per_day]
        for p in chosen:
            count[p] += 1
            last[p] = day
        plan[day] = chosen
    return plan


@dataclass(frozen=True)
class RotaMade:
    year: int
    stations: int
    receptions: int
    duties: int
    holidays_known: bool  # False: the year's holidays are not loaded, weekends only moved


def make_rota(
    conn: Connection,
    actor: Actor,
    year: int,
    *,
    per_day: int = 2,
    calendar: Calendar | None = None,
) -> RotaMade:
    """The year's rota for every station (a station per community is added where missing);
    refused for a station whose attendance in that year is already recorded."""
    require_role(actor, Role.staff, "make the rota")
    require_street_scope(actor, "making the rota")
    if not 2000 <= year <= 2100:
        raise InputError(f"year {year}: between 2000 and 2100")
    calendar = calendar or Calendar()
    days = reception_days(year, calendar)
    start, end = days[0][1], days[-1][1]  # a 26 December may move into January
    receptions = duties = 0
    with transaction(conn):
        db.add_community_stations(conn)
        stations = db.stations(conn)
        for station_id, code in zip(stations["id"], stations["code"], strict=True):
            if db.attended_in(conn, int(station_id), start, end):
                raise Conflict(f"station {code}: attendance in {year} is recorded; not remade")
            reps = db.station_representatives(conn, int(station_id))
            ids = [r["id"] for r in reps]
            away: dict[int, set[dt.date]] = {}
            for row in db.unavailable(conn, ids, start, end):
                away.setdefault(row["representative_id"], set()).add(row["day"])
            plan = rotate([d for _, d in days], ids, per_day, away)
            rows = [(nominal, day, plan[day]) for nominal, day in days]
            duties += db.replace_plan(conn, int(station_id), start, end, rows)
            receptions += len(rows)
    return RotaMade(year, len(stations), receptions, duties, calendar.covered(year))


def set_unavailable(
    conn: Connection, actor: Actor, representative: str, days: list[dt.date]
) -> None:
    """Dates a representative cannot take duty (they or staff say so); the next rota made
    respects them."""
    require_role(actor, Role.representative, "set unavailable dates")
    if not days or len(days) > 366:
        raise InputError("days: one to 366 dates")
    with transaction(conn):
        rep = _rep(conn, actor, representative, "set unavailable dates")
        db.add_unavailable(conn, rep["id"], days)


def _rep(conn: Connection, actor: Actor, code: str, doing: str) -> dict:
    rep = places.rep_place(conn, code)
    if rep is None:
        raise NotFound(f"representative {code}: no such representative")
    if not actor.scope.covers(rep["community_code"], rep["section_code"], code):
        raise Forbidden(f"{doing}: outside your scope ({actor.scope})")
    return rep


@dataclass(frozen=True)
class Attendance:
    station: str
    day: dt.date
    representative: str
    attended: bool
    residents: int
    request_ids: list[int]
    points_entry: int | None


def record_attendance(
    conn: Connection,
    actor: Actor,
    station: str,
    day: dt.date,
    representative: str,
    *,
    attended: bool = True,
    residents: int = 0,
    request_ids: list[int] | None = None,
) -> Attendance:
    """Whether a representative on duty came, how many residents they received and the
    requests opened there; attending earns the reception task's points once."""
    require_role(actor, Role.representative, "record attendance")
    ids = list(dict.fromkeys(request_ids or []))
    if not 0 <= residents <= 1000:
        raise InputError("residents: between 0 and 1000")
    if len(ids) > 100 or any(i <= 0 for i in ids):
        raise InputError("request_ids: at most 100 positive request ids")
    with transaction(conn):
        found = db.station(conn, station)
        if found is None:
            raise NotFound(f"station {station}: no such station")
        rep = _rep(conn, actor, representative, "record attendance")
        reception = db.record_attendance(
            conn, found["id"], day, rep["id"], attended, residents, ids
        )
        if reception is None:
            raise NotFound(f"{representative} is not on duty at {station} on {day}")
        entry = None
        task = points.task(conn, event="reception")
        if attended and task is not None:
            source = f"reception:{reception}:{representative}"
            entry = points.award(conn, rep["id"], task, day, actor=actor.name, source=source)
    return Attendance(station, day, representative, attended, residents, ids, entry)


def duties(
    conn: Connection,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    *,
    station: str | None = None,
    representative: str | None = None,
    community: str | None = None,
) -> pd.DataFrame:
    """Who is on duty where and when (names are public, as the station's board shows them)."""
    if end < start or (end - start).days > 800:
        raise InputError("dates: the end after the start, at most 800 days apart")
    return db.duties(conn, start, end, station=station, rep=representative, community=community)


def stations(conn: Connection, actor: Actor) -> pd.DataFrame:
    return db.stations(conn)


def _ics(name: str, frame: pd.DataFrame) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//gridsvc//逢6接待//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for row in frame.itertuples():
        event = icalendar.Event()
        event.add("uid", f"reception-{row.reception_id}-{row.rep_code}@gridsvc")
        event.add("summary", f"逢6接待 · {row.station_name} · {row.rep_name}")
        event.add("location", row.station_name)
        event.add("dtstart", dt.datetime.combine(row.day, HOURS[0], TZ))
        event.add("dtend", dt.datetime.combine(row.day, HOURS[1], TZ))
        event.add("dtstamp", dt.datetime.combine(row.day, dt.time(0), dt.UTC))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def representative_ics(conn: Connection, actor: Actor, code: str, year: int) -> bytes:
    """A representative's duties in a year as an iCalendar feed."""
    rep = places.rep_place(conn, code)
    if rep is None:
        raise NotFound(f"representative {code}: no such representative")
    frame = db.duties(conn, dt.date(year, 1, 1), dt.date(year + 1, 1, 31), rep=code)
    return _ics(f"逢6接待 {rep['name']}", frame)


def station_ics(conn: Connection, actor: Actor, code: str, year: int) -> bytes:
    """A station's receptions and who is on duty, as an iCalendar feed."""
    found = db.station(conn, code)
    if found is None:
        raise NotFound(f"station {code}: no such station")
    frame = db.duties(conn, dt.date(year, 1, 1), dt.date(year + 1, 1, 31), station=code)
    return _ics(f"逢6接待 {found['name']}", frame)


def month_page(conn: Connection, actor: Actor, month: str, community: str | None = None) -> str:
    """The printable rota of a month ('2026-10'), per station."""
    from gridsvc.maps.noticeboard import rota_month

    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InputError(f"month {month[:20]!r}: give it as 2026-10") from None
    last = first.replace(day=monthrange(first.year, first.month)[1])
    frame = db.duties(conn, first, last, community=community)
    return rota_month(month, db.stations(conn), frame)
