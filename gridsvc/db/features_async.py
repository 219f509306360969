"""OGC items pages on the async driver, in one statement: the count, the page (its GeoJSON
written by PostGIS) and, for personal collections, the audit row."""

from __future__ import annotations

import asyncpg

from gridsvc.db.access_log import logged_cte
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.db.features import Source

Box = tuple[float, float, float, float]
HIDDEN = ("id", "geom", "publish_phone")  # not properties: the id, the geometry, a flag
_COLUMNS: dict[str, tuple[str, ...]] = {}  # a source's SELECT -> its column names
_SQL: dict[tuple[str, str, bool, bool], str] = {}


async def columns(conn: AsyncConnection, source: Source) -> tuple[str, ...]:
    """The columns the source's SELECT yields (asked of the store once per process)."""
    found = _COLUMNS.get(source.select)
    if found is None:
        statement = await conn.prepare(f"SELECT * FROM ({source.select}) q LIMIT 0")
        found = tuple(a.name for a in statement.get_attributes())
        _COLUMNS[source.select] = found
    return found


def _feature_json(properties: tuple[str, ...]) -> str:
    """A Feature as JSON text: PostGIS' geometry text put in as it is (not parsed again as
    json), the properties in their order."""
    pairs = ", ".join(f"'{name}', p.{name}" for name in properties)
    return (
        """'{"type":"Feature","id":' || to_json(p.id)::text || ',"geometry":'"""
        f""" || coalesce(p.geojson, 'null') || ',"properties":'"""
        f" || json_build_object({pairs})::text || '}}'"
    )


def page_sql(
    cols: tuple[str, ...], source: Source, geometry: str, bbox: bool, as_json: bool
) -> str:
    """The statement for one page; its parameters are `page_args`' (limit, offset, the scope's
    code if `geometry` compares it, the bbox if any, the audit). `geometry` is the SQL of
    `gridsvc.db.features.geometry_sql`. `as_json`: one row (matched, returned, the Features
    joined by commas); else one row per feature (one of nulls if the page is empty), each
    with `matched` and its geometry as `geojson` text."""
    key = (source.select, geometry, bbox, as_json)
    found = _SQL.get(key)
    if found is not None:
        return found
    number = 3
    if "%(scope)s" in geometry:
        geometry = geometry.replace("%(scope)s", "$3")
        number = 4
    where = ""
    if bbox:
        x0, y0, x1, y1 = (f"${number + i}::float8" for i in range(4))
        box = f"ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 4490)"
        where = f" WHERE q.geom && {box} AND ST_Intersects(q.geom, {box})"
        number += 4
    kept = ", ".join(f"q.{c}" for c in cols if c != "geom")
    page = (
        f"page AS (SELECT {kept}, {geometry} AS geojson FROM ({source.select}) q{where}"
        " ORDER BY q.id LIMIT $1 OFFSET $2)"
    )
    matched = f"(SELECT count(*) FROM ({source.select}) q{where})"
    logged = logged_cte(
        number, "(SELECT 1) AS one", "'offset ' || $2::text", "(SELECT count(*) FROM page)"
    )
    if as_json:
        properties = tuple(c for c in cols if c not in HIDDEN)
        select = (
            f"SELECT {matched} AS matched, (SELECT count(*) FROM page) AS returned,"
            f" coalesce((SELECT string_agg({_feature_json(properties)}, ','"
            " ORDER BY p.id) FROM page p), '') AS features"
        )
    else:
        select = (
            f"SELECT m.matched, p.* FROM (SELECT {matched} AS matched) m"
            " LEFT JOIN page p ON true ORDER BY p.id"
        )
    found = f"WITH {page}, {logged} {select}"
    _SQL[key] = found
    return found


def page_args(
    limit: int, offset: int, scope: str | None, bbox: Box | None, audit: tuple[object, ...]
) -> tuple[object, ...]:
    """`page_sql`'s parameters: the scope's code only where the geometry compares it."""
    return (limit, offset, *(() if scope is None else (scope,)), *(bbox or ()), *audit)


async def page_json(
    conn: AsyncConnection,
    source: Source,
    geometry: str,
    bbox: Box | None,
    limit: int,
    offset: int,
    scope: str | None,
    audit: tuple[object, ...],
) -> tuple[int, int, str]:
    """How many match, how many are on the page, and the page's Features as JSON text
    (joined by commas), written by PostGIS."""
    sql = page_sql(await columns(conn, source), source, geometry, bbox is not None, True)
    scope = scope if "%(scope)s" in geometry else None
    row = await conn.fetchrow(sql, *page_args(limit, offset, scope, bbox, audit))
    assert row is not None  # an aggregate: always one row
    return int(row["matched"]), int(row["returned"]), str(row["features"])


async def page_rows(
    conn: AsyncConnection,
    source: Source,
    geometry: str,
    bbox: Box | None,
    limit: int,
    offset: int,
    scope: str | None,
    audit: tuple[object, ...],
) -> tuple[int, list[asyncpg.Record]]:
    """How many match, and the page's rows, each with its geometry as GeoJSON text in
    `geojson`, for properties the caller polices."""
    sql = page_sql(await columns(conn, source), source, geometry, bbox is not None, False)
    scope = scope if "%(scope)s" in geometry else None
    rows = await conn.fetch(sql, *page_args(limit, offset, scope, bbox, audit))
    return int(rows[0]["matched"]), [r for r in rows if r["id"] is not None]
