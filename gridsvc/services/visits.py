"""Visits (四个一): logged by representatives and staff, counted per level, and the overdue
list in each representative's walking order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridsvc import coords
from gridsvc.access import Actor, Role, apply_frame
from gridsvc.db import points, visits
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import Forbidden, InputError, NotFound
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role, safe_text
from gridsvc.walking import walking_order

KINDS = visits.KINDS
LEVELS = tuple(visits.LEVELS)


@dataclass(frozen=True)
class Visit:
    id: int
    household: str
    representative: str
    visited_on: dt.date
    kinds: list[str]
    notes: str
    request_ids: list[int]
    points_entry: int | None


def _check_kinds(kinds: list[str]) -> list[str]:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise InputError(f"kinds: choose one or more of {', '.join(KINDS)}")
    return [k for k in KINDS if k in kinds]  # the canonical order, each once


def log_visit(
    conn: Connection,
    actor: Actor,
    household: str,
    visited_on: dt.date,
    kinds: list[str],
    *,
    representative: str | None = None,
    notes: str = "",
    request_ids: list[int] | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Log a visit (by default by the household's representative) and award its points. A
    representative logs their own visits to their own households; staff any in scope."""
    require_role(actor, Role.representative, "log visits")
    safe_text(notes, field="notes", max_length=1000)
    kinds = _check_kinds(kinds)
    ids = list(dict.fromkeys(request_ids or []))
    if len(ids) > 20 or any(i <= 0 for i in ids):
        raise InputError("request_ids: at most 20 positive request ids")
    today = today or dt.date.today()
    if visited_on > today or visited_on < dt.date(2000, 1, 1):
        raise InputError(f"visited_on {visited_on}: not in the future, not before 2000")
    with transaction(conn):
        place = visits.household_place(conn, household)
        if place is None:
            raise NotFound(f"household {household}: no such household")
        rep_code = representative or place["rep_code"]
        if rep_code is None:
            raise InputError(f"household {household} has no representative: name one")
        rep = visits.rep_place(conn, rep_code)
        if rep is None:
            raise NotFound(f"representative {rep_code}: no such representative")
        if not actor.scope.covers(place["community_code"], place["section_code"], rep_code):
            raise Forbidden(f"log a visit: outside your scope ({actor.scope})")
        if actor.role == Role.representative and place["rep_code"] != rep_code:
            raise Forbidden(f"household {household} is not one of your households")
        visit_id = visits.insert(
            conn, place["id"], rep["id"], visited_on, kinds, notes, ids, actor.name
        )
        task = points.task(conn, event="visit")
        entry = None
        if task is not None:
            entry = points.award(
                conn, rep["id"], task, visited_on, actor=actor.name, source=f"visit:{visit_id}"
            )
    return Visit(visit_id, household, rep_code, visited_on, kinds, notes, ids, entry)


def _check_span(since: dt.date, until: dt.date) -> None:
    if not (dt.date(2000, 1, 1) <= since <= until <= dt.date(2100, 12, 31)):
        raise InputError(f"since/until {since}..{until}: a span within 2000–2100, in order")


def _scope_filters(
    actor: Actor, community: str | None, section: str | None, representative: str | None
) -> dict:
    """The filters asked for, narrowed to the actor's scope (a caller never widens it)."""
    given = {"community": community, "section": section, "rep": representative}
    level = {"representative": "rep"}.get(actor.scope.level, actor.scope.level)
    if level != "street":
        if given[level] not in (None, actor.scope.code):
            raise Forbidden(f"outside your scope ({actor.scope})")
        given[level] = actor.scope.code
    return given


def list_visits(
    conn: Connection,
    actor: Actor,
    since: dt.date,
    until: dt.date,
    *,
    community: str | None = None,
    section: str | None = None,
    representative: str | None = None,
) -> pd.DataFrame:
    """Visits in a span, newest first (household codes and notes: representative and up)."""
    require_role(actor, Role.representative, "list visits")
    _check_span(since, until)
    filters = _scope_filters(actor, community, section, representative)
    frame = visits.listing(conn, since, until, **filters)
    record_read(conn, actor, "visits.list", f"{since}..{until} {filters}", len(frame))
    return frame


def shares(
    conn: Connection,
    actor: Actor,
    level: str,
    since: dt.date,
    until: dt.date,
    *,
    key_days: int = 30,
    community: str | None = None,
    section: str | None = None,
    representative: str | None = None,
) -> pd.DataFrame:
    """Per `level`: households contacted, share visited at least once in the span, share with
    all four kinds done, and key households visited in the last `key_days` (counts of key
    households only to representatives and up)."""
    require_role(actor, Role.viewer, "read visit shares")
    if level not in LEVELS:
        raise InputError(f"level {level!r}: choose {', '.join(LEVELS)}")
    _check_span(since, until)
    if not 1 <= key_days <= 3660:
        raise InputError(f"key_days {key_days}: between 1 and 3660")
    filters = _scope_filters(actor, community, section, representative)
    key_since = until - dt.timedelta(days=key_days - 1)
    frame = visits.shares(conn, level, since, until, key_since, **filters)
    households = frame["households"].replace(0, np.nan)
    frame["visited_share"] = (frame["visited"] / households).round(3)
    frame["fourfold_share"] = (frame["fourfold"] / households).round(3)
    frame["key_share"] = (frame["key_visited"] / frame["key_households"].replace(0, np.nan)).round(
        3
    )
    if actor.role < Role.representative:
        frame = frame.drop(columns=["key_households", "key_visited", "key_share"])
    return frame


def overdue(
    conn: Connection,
    actor: Actor,
    *,
    representative: str | None = None,
    community: str | None = None,
    section: str | None = None,
    key_days: int = 30,
    other_days: int = 90,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Households whose last visit is older than `key_days` (key households) or `other_days`
    (the rest), or never visited: per representative, key households first, each part in the
    representative's walking order. Personal data by the access policy, audited."""
    require_role(actor, Role.representative, "read overdue visits")
    today = today or dt.date.today()
    filters = _scope_filters(actor, community, section, representative)
    frame = visits.contacts_with_last_visit(conn, today, **filters)
    if frame.empty:
        return frame
    is_key = frame["key_category"].notna()
    due = pd.Series(np.where(is_key, key_days, other_days), index=frame.index, dtype="int64").map(
        lambda d: today - dt.timedelta(days=int(d))
    )
    late = frame["last_visit"].isna() | (frame["last_visit"] < due)
    frame = frame[late].assign(key=is_key[late])
    frame["walk"] = _walk_positions(frame)
    frame = frame.sort_values(["rep_code", "key", "walk"], ascending=[True, False, True])
    frame["walk"] = frame.groupby("rep_code").cumcount() + 1
    frame["days_since"] = frame["last_visit"].map(
        lambda d: None if d is None or pd.isna(d) else (today - d).days
    )
    columns = [
        "rep_code", "rep_name", "code", "head_name", "address", "phone", "key_category",
        "lon", "lat", "last_visit", "days_since", "walk", "section_code", "community_code",
    ]  # fmt: skip
    out = apply_frame(actor, frame[columns].reset_index(drop=True))
    record_read(conn, actor, "visits.overdue", str(filters), len(out))
    return out


def _walk_positions(frame: pd.DataFrame) -> pd.Series:
    """Each household's place in its representative's walk (key households walked first, the
    rest after, each a short tour from the representative's home). Plain arrays: a street
    has two thousand walks, too many for pandas' per-group overhead."""
    positions = np.zeros(len(frame), dtype="int64")
    if frame.empty:
        return pd.Series(positions, index=frame.index)
    epsg = coords.metric_epsg_for(frame["lon"].to_numpy(float))
    x, y = coords.to_metric(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), epsg)
    hx, hy = coords.to_metric(
        frame["rep_lon"].to_numpy(float), frame["rep_lat"].to_numpy(float), epsg
    )
    walks = pd.factorize(frame["rep_code"].astype(str) + "|" + frame["key"].astype(str))[0]
    keys = frame["key"].to_numpy(bool)
    by_walk = np.argsort(walks, kind="stable")
    bounds = np.flatnonzero(np.diff(walks[by_walk])) + 1
    for rows in np.split(by_walk, bounds):
        order = walking_order([hx[rows[0]], hy[rows[0]]], np.column_stack([x[rows], y[rows]]))
        positions[rows[order]] = np.arange(len(rows)) + (0 if keys[rows[0]] else 10_000)
    return pd.Series(positions, index=frame.index)
