"""Feature collections for OGC API - Features: one SQL source per collection."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame
from gridsvc.db.runs import IN_FORCE


@dataclass(frozen=True)
class Source:
    """A collection: its title, its SELECT (id, geom, properties...) and who may read it."""

    title: str
    description: str
    select: str  # must yield columns id, geom and the properties
    personal: str | None = None  # the policy's field for the geometry (homes, contact lines)


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
        "SELECT r.code AS id, r.geom, r.code, r.name, r.phone, r.publish_phone, r.role,"
        " r.active, g.code AS group_code, s.code AS section_code, c.code AS community_code"
        " FROM representative r JOIN resident_group g ON g.id = r.group_id"
        " JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id",
        personal="representative.home",
    ),
    "contacts": Source(
        "Contacts (我联谁，谁联我)",
        "A line from each representative to each household they contact, in the run in force.",
        "SELECT h.code AS id, ST_MakeLine(r.geom, a.household_geom) AS geom,"
        " h.code AS household_code, r.code AS representative_code, g.code AS group_code,"
        " round(a.distance_m::numeric, 1)::float8 AS distance_m,"
        " s.code AS section_code, c.code AS community_code"
        " FROM assignment a JOIN household h ON h.id = a.household_id"
        " JOIN representative r ON r.id = a.representative_id"
        " JOIN resident_group g ON g.id = h.group_id JOIN grid_section s ON s.id = h.section_id"
        f" JOIN community c ON c.id = s.community_id WHERE a.run_id = {IN_FORCE}",
        personal="contact.line",
    ),
    "people": Source(
        "People (网格员、网格长、小组长…)",
        "Who holds which role for which area now; the area's outline as geometry (staff).",
        "SELECT r.id::text AS id, coalesce(g.geom, s.geom, c.geom) AS geom, p.name, p.phone,"
        " r.role, r.level, r.area_code, r.start_date,"
        " coalesce(sg.code, s.code) AS section_code,"
        " coalesce(c.code, cs.code, cg.code) AS community_code"
        " FROM person_role r JOIN person p ON p.id = r.person_id"
        " LEFT JOIN resident_group g ON r.level = 'group' AND g.code = r.area_code"
        " LEFT JOIN grid_section sg ON sg.id = g.section_id"
        " LEFT JOIN community cg ON cg.id = sg.community_id"
        " LEFT JOIN grid_section s ON r.level = 'section' AND s.code = r.area_code"
        " LEFT JOIN community cs ON cs.id = s.community_id"
        " LEFT JOIN community c ON r.level = 'community' AND c.code = r.area_code"
        " WHERE r.end_date IS NULL",
    ),
}


BLOCK = 0.0005  # degrees, as access.BLOCK_DEGREES: points snapped to the centre of their block
GEOMETRY = {
    # options 0: no "crs" member (GeoJSON is CRS84 by definition, RFC 7946)
    "full": "ST_AsGeoJSON(q.geom, 7, 0)",
    "block": f"ST_AsGeoJSON(ST_Translate(ST_SnapToGrid(ST_Translate(q.geom, -{BLOCK / 2},"
    f" -{BLOCK / 2}), {BLOCK}), {BLOCK / 2}, {BLOCK / 2}), 7, 0)",
    "hidden": "NULL",
}


def geometry_sql(inside: str, outside: str, scope_column: str | None) -> str:
    """The GeoJSON of each row's geometry, as precise as the policy allows inside the
    caller's scope (`scope_column` = the scope's code) and outside it."""
    if scope_column is None or inside == outside:
        return GEOMETRY[inside]
    return (
        f"CASE WHEN q.{scope_column} = %(scope)s THEN {GEOMETRY[inside]}"
        f" ELSE {GEOMETRY[outside]} END"
    )


def extent(conn: connection, source: Source) -> list[float] | None:
    frame = read_frame(
        conn,
        f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        f" (SELECT ST_Extent(geom) AS e FROM ({source.select}) q) x",
    )
    values = frame.iloc[0].tolist()
    return None if values[0] is None else [round(float(v), 7) for v in values]


def item(
    conn: connection,
    source: Source,
    fid: str,
    geometry: str = GEOMETRY["full"],
    scope: str | None = None,
) -> pd.DataFrame:
    return read_frame(
        conn,
        f"SELECT q.*, {geometry} AS geojson FROM ({source.select}) q WHERE q.id = %(fid)s",
        {"fid": fid, "scope": scope},
    ).drop(columns="geom")
