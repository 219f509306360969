"""Feature collections for OGC API - Features: one SQL source per collection."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.runs import IN_FORCE, read_frame


@dataclass(frozen=True)
class Source:
    """A collection: its title, its SELECT (id, geom, properties...) and who may read it."""

    title: str
    description: str
    select: str  # must yield columns id, geom and the properties
    personal: bool = False  # names/phones inside: masked by role, audited


SOURCES: dict[str, Source] = {
    "communities": Source(
        "Communities (社区/村)",
        "The street's communities and villages.",
        "SELECT c.code AS id, c.geom, c.code, c.name FROM community c",
    ),
    "sections": Source(
        "Grid sections (网格片区)",
        "Grid sections with their community.",
        "SELECT s.code AS id, s.geom, s.code, s.name, c.code AS community_code"
        " FROM grid_section s JOIN community c ON c.id = s.community_id",
    ),
    "groups": Source(
        "Resident groups (居民小组)",
        "Resident groups with their section.",
        "SELECT g.code AS id, g.geom, g.code, g.name, s.code AS section_code"
        " FROM resident_group g JOIN grid_section s ON s.id = g.section_id",
    ),
    "representatives": Source(
        "Representatives (居民代表)",
        "Representatives' homes; names and phones by role.",
        "SELECT r.code AS id, r.geom, r.code, r.name, r.phone, r.role, r.active,"
        " g.code AS group_code FROM representative r"
        " JOIN resident_group g ON g.id = r.group_id",
        personal=True,
    ),
    "contacts": Source(
        "Contacts (我联谁，谁联我)",
        "A line from each representative to each household they contact, in the run in force.",
        "SELECT h.code AS id, ST_MakeLine(r.geom, a.household_geom) AS geom,"
        " h.code AS household_code, r.code AS representative_code, g.code AS group_code,"
        " round(a.distance_m::numeric, 1)::float8 AS distance_m"
        f" FROM assignment a JOIN household h ON h.id = a.household_id"
        " JOIN representative r ON r.id = a.representative_id"
        f" JOIN resident_group g ON g.id = h.group_id WHERE a.run_id = {IN_FORCE}",
        personal=True,
    ),
}


def extent(conn: connection, source: Source) -> list[float] | None:
    frame = read_frame(
        conn,
        f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        f" (SELECT ST_Extent(geom) AS e FROM ({source.select}) q) x",
    )
    values = frame.iloc[0].tolist()
    return None if values[0] is None else [round(float(v), 7) for v in values]


def items(
    conn: connection,
    source: Source,
    bbox: tuple[float, float, float, float] | None,
    limit: int,
    offset: int,
) -> tuple[int, pd.DataFrame]:
    """How many match, and one page of them (geometry as GeoJSON text), ordered by id."""
    where, params = "", {}
    if bbox is not None:
        where = (
            " WHERE q.geom && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4490)"
            " AND ST_Intersects(q.geom, ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s,"
            " 4490))"
        )
        params = dict(zip(("x0", "y0", "x1", "y1"), bbox, strict=True))
    matched = int(
        read_frame(conn, f"SELECT count(*) FROM ({source.select}) q{where}", params).iloc[0, 0]
    )
    page = read_frame(
        conn,
        f"SELECT q.*, ST_AsGeoJSON(q.geom, 7) AS geojson"
        f" FROM ({source.select}) q{where} ORDER BY q.id"
        " LIMIT %(limit)s OFFSET %(offset)s",
        {**params, "limit": limit, "offset": offset},
    )
    return matched, page.drop(columns="geom")


def item(conn: connection, source: Source, fid: str) -> pd.DataFrame:
    return read_frame(
        conn,
        f"SELECT q.*, ST_AsGeoJSON(q.geom, 7) AS geojson FROM ({source.select}) q WHERE q.id = %s",
        (fid,),
    ).drop(columns="geom")
