"""What the maps draw, read from the store in a few queries (the run in force)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from psycopg2.extensions import connection

from gridsvc.db.frames import Params, read_frame
from gridsvc.db.runs import IN_FORCE
from gridsvc.errors import NotFound


@dataclass
class SectionRows:
    """One section as the store holds it (before the access policy)."""

    code: str
    name: str
    community: str
    community_code: str
    groups: gpd.GeoDataFrame  # code, name, geometry
    representatives: pd.DataFrame  # code, name, phone, publish_phone, role, group_code, lon,
    #                                lat, load
    households: pd.DataFrame  # code, head_name, phone, address, key_category, group_code,
    #                           lon, lat, rep_code, distance_m
    run_id: int | None
    office_phone: str | None = None
    street: str = ""


def _areas(conn: connection, sql: str, params: Params) -> gpd.GeoDataFrame:
    frame = read_frame(conn, sql, params)
    geometry = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")]) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=list(geometry), crs="EPSG:4490")


def run_key(conn: connection) -> str:
    """A name for the run in force that no other run of any store gets (its id and when it
    finished): what rendered files are kept under."""
    frame = read_frame(
        conn,
        "SELECT id, to_char(finished_at, 'YYYYMMDD\"T\"HH24MISSUS') AS at FROM assignment_run"
        " WHERE in_force",
    )
    return f"run-{frame['id'][0]}-{frame['at'][0]}" if len(frame) else "no-run"


def section_codes(conn: connection) -> list[str]:
    return [str(c) for c in read_frame(conn, "SELECT code FROM grid_section ORDER BY code")["code"]]


def section_communities(conn: connection) -> dict[str, str]:
    """Section code -> its community's code."""
    frame = read_frame(
        conn,
        "SELECT s.code, c.code AS community FROM grid_section s"
        " JOIN community c ON c.id = s.community_id ORDER BY s.code",
    )
    return dict(zip(frame["code"], frame["community"], strict=True))


def section(conn: connection, code: str) -> SectionRows:
    head = read_frame(
        conn,
        """SELECT s.id, s.code, s.name, c.name AS community, c.code AS community_code,
            c.office_phone, (SELECT name FROM street_info) AS street
        FROM grid_section s JOIN community c ON c.id = s.community_id WHERE s.code = %s""",
        (code,),
    )
    if head.empty:
        raise NotFound(f"section {code}: no such section")
    sid = int(head["id"][0])
    groups = _areas(
        conn,
        "SELECT code, name, ST_AsBinary(geom) AS wkb FROM resident_group"
        " WHERE section_id = %s ORDER BY code",
        (sid,),
    )
    reps = read_frame(
        conn,
        f"""SELECT r.code, r.name, r.phone, r.publish_phone, r.role, g.code AS group_code,
            ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, count(a.household_id) AS load
        FROM representative r JOIN resident_group g ON g.id = r.group_id
        LEFT JOIN assignment a ON a.representative_id = r.id AND a.run_id = {IN_FORCE}
        WHERE g.section_id = %s AND r.active GROUP BY r.id, g.code ORDER BY r.code""",
        (sid,),
    )
    houses = read_frame(
        conn,
        f"""SELECT h.code, h.head_name, h.phone, h.address,
            h.key_category, g.code AS group_code, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
            r.code AS rep_code, a.distance_m
        FROM household h JOIN resident_group g ON g.id = h.group_id
        LEFT JOIN assignment a ON a.household_id = h.id AND a.run_id = {IN_FORCE}
        LEFT JOIN representative r ON r.id = a.representative_id
        WHERE h.section_id = %s ORDER BY h.code""",
        (sid,),
    )
    run = read_frame(conn, f"SELECT {IN_FORCE} AS id")["id"][0]
    return SectionRows(
        code,
        str(head["name"][0]),
        str(head["community"][0]),
        str(head["community_code"][0]),
        groups,
        reps,
        houses,
        None if pd.isna(run) else int(run),
        None if pd.isna(head["office_phone"][0]) else str(head["office_phone"][0]),
        "" if pd.isna(head["street"][0]) else str(head["street"][0]),
    )


def overview(conn: connection) -> gpd.GeoDataFrame:
    """Every section with its figures in the run in force."""
    return _areas(
        conn,
        f"""SELECT s.code, s.name, c.name AS community,
            ST_AsBinary(s.geom) AS wkb,
            (SELECT count(*) FROM household h WHERE h.section_id = s.id) AS households,
            (SELECT count(*) FROM assignment a JOIN household h ON h.id = a.household_id
             WHERE a.run_id = {IN_FORCE} AND h.section_id = s.id
             AND a.representative_id IS NOT NULL) AS covered,
            (SELECT count(*) FROM representative r JOIN resident_group g ON g.id = r.group_id
             WHERE g.section_id = s.id AND r.active) AS representatives
        FROM grid_section s JOIN community c ON c.id = s.community_id ORDER BY s.code""",
        None,
    )
