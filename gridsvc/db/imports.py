"""Imports in the store: stage rows, place points in groups, upsert, record the batch."""

from __future__ import annotations

import json

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import copy_frame, read_frame
from gridsvc.db.sameness import moved, unchanged

STAGE_COLUMNS = {
    "households": [
        "row",
        "code",
        "head_name",
        "phone",
        "address",
        "key_category",
        "lon",
        "lat",
        "group_id",
        "section_id",
        "snapped_m",
    ],
    "representatives": [
        "row",
        "code",
        "name",
        "phone",
        "group_code",
        "role",
        "party_member",
        "active",
        "lon",
        "lat",
    ],
}
STAGE_SQL = {
    "households": """CREATE TEMP TABLE _stage (row int PRIMARY KEY, code text, head_name text,
        phone text, address text, key_category text, lon float8, lat float8,
        {geom}, group_id int, section_id int, snapped_m float8)
        ON COMMIT DROP""",
    "representatives": """CREATE TEMP TABLE _stage (row int PRIMARY KEY, code text, name text,
        phone text, group_code text, role text, party_member boolean, active boolean,
        lon float8, lat float8, {geom}, group_id int) ON COMMIT DROP""",
}
# the point is made as the rows arrive, instead of by an UPDATE that rewrites every staged row
STAGE_GEOM = (
    "geom geometry(Point, 4490) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4490))"
    " STORED"
)

CRS_SCORES_SQL = """
    SELECT c.crs,
        avg((EXISTS (SELECT 1 FROM resident_group g WHERE ST_Covers(g.geom, c.geom)))::int)
            AS inside,
        avg(CASE WHEN c.group_code <> '' THEN (EXISTS (SELECT 1 FROM resident_group g
            WHERE g.code = c.group_code AND ST_Covers(g.geom, c.geom)))::int END) AS own_group,
        avg(CASE WHEN k.geom IS NOT NULL THEN (ST_DistanceSphere(k.geom, c.geom) <= 30)::int
            END) AS known
    FROM _crs_candidate c LEFT JOIN {table} k ON k.code = c.code
    GROUP BY c.crs"""

PLACE_NEAREST_SQL = """
    UPDATE _stage s SET snapped_m = n.metres,
        group_id = CASE WHEN n.metres <= %(tolerance)s THEN n.id END,
        section_id = CASE WHEN n.metres <= %(tolerance)s THEN n.section_id END
    FROM (SELECT s2.row, near.id, near.section_id, near.metres FROM _stage s2
          CROSS JOIN LATERAL (
              SELECT g.id, g.section_id, ST_Distance(g.geom::geography, s2.geom::geography)
                     AS metres
              FROM (SELECT id, section_id, geom FROM resident_group
                    ORDER BY geom <-> s2.geom LIMIT 3) g
              ORDER BY metres LIMIT 1) near
          WHERE s2.group_id IS NULL) n
    WHERE s.row = n.row"""

HOUSEHOLD_CHANGES_SQL = f"""
    SELECT s.row, s.code,
           CASE WHEN h.id IS NULL THEN 'new'
                WHEN {unchanged("household", "h", "s")} THEN 'unchanged'
                ELSE 'updated' END AS change,
           h.id IS NOT NULL AND {moved("h", "s")} AS moved
    FROM _stage s LEFT JOIN household h ON h.code = s.code"""

UPSERT_HOUSEHOLDS_SQL = f"""
    INSERT INTO household (code, head_name, phone, address, group_id, section_id, key_category,
                           geom, import_batch_id)
    SELECT code, coalesce(head_name, ''), phone, coalesce(address, ''), group_id, section_id,
           key_category, geom, %(batch)s
    FROM _stage
    ON CONFLICT (code) DO UPDATE SET head_name = excluded.head_name, phone = excluded.phone,
        address = excluded.address, group_id = excluded.group_id,
        section_id = excluded.section_id, key_category = excluded.key_category,
        geom = excluded.geom, import_batch_id = excluded.import_batch_id, updated_at = now()
    WHERE NOT {unchanged("household", "household", "excluded")}"""

REP_CHANGES_SQL = f"""
    SELECT s.row, s.code,
           CASE WHEN r.id IS NULL THEN 'new'
                WHEN {unchanged("representative", "r", "s")} THEN 'unchanged'
                ELSE 'updated' END AS change,
           r.id IS NOT NULL AND {moved("r", "s")} AS moved
    FROM _stage s LEFT JOIN representative r ON r.code = s.code"""

UPSERT_REPS_SQL = f"""
    INSERT INTO representative (code, name, phone, group_id, role, party_member, active, geom,
                                import_batch_id)
    SELECT code, name, phone, group_id, role, party_member, active, geom, %(batch)s FROM _stage
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, phone = excluded.phone,
        group_id = excluded.group_id, role = excluded.role,
        party_member = excluded.party_member, active = excluded.active, geom = excluded.geom,
        import_batch_id = excluded.import_batch_id, updated_at = now()
    WHERE NOT {unchanged("representative", "representative", "excluded")}"""


def crs_scores(
    conn: connection, kind: str, candidates: dict[str, pd.DataFrame]
) -> dict[str, dict[str, float | None]]:
    """For each coordinate system (a frame of code, group_code, lon, lat in CGCS2000): the share
    of points inside some group, inside their own group (when the file names it), and within
    30 m of the stored position of the same code (when the store knows it)."""
    frames = [frame.assign(crs=crs) for crs, frame in candidates.items()]
    table = "household" if kind == "households" else "representative"
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE _crs_candidate (crs text, code text, group_code text,"
            " lon float8, lat float8, geom geometry(Point, 4490)) ON COMMIT DROP"
        )
        _copy_columns(
            conn, "_crs_candidate", ["crs", "code", "group_code", "lon", "lat"], pd.concat(frames)
        )
        cur.execute("UPDATE _crs_candidate SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4490)")
        cur.execute(CRS_SCORES_SQL.format(table=table))
        scores = {
            crs: {"inside": _round(inside), "own_group": _round(own), "known": _round(kn)}
            for crs, inside, own, kn in cur.fetchall()
        }
        cur.execute("DROP TABLE _crs_candidate")
    return scores


def _round(value: object) -> float | None:
    return None if value is None else round(float(value), 4)  # type: ignore[arg-type]


def stage(conn: connection, kind: str, rows: pd.DataFrame) -> None:
    """COPY the checked rows (already in CGCS2000) into a temporary staging table."""
    with conn.cursor() as cur:
        # an import's statements scan whole staged tables: compiling them (JIT) costs more
        # than it saves, for this transaction
        cur.execute("SELECT set_config('jit', 'off', true)")
        cur.execute(STAGE_SQL[kind].format(geom=STAGE_GEOM))
        # an empty text arrives as NULL: an unquoted empty CSV field is NULL to COPY
        _copy_columns(conn, "_stage", STAGE_COLUMNS[kind], rows.reset_index(names="row"))


def group_areas(conn: connection) -> pd.DataFrame:
    """Every resident group's id, section and polygon (WKB), in id order: households are
    placed in them before staging (gridsvc/ingest/placing.py)."""
    frame = read_frame(
        conn, "SELECT id, section_id, ST_AsBinary(geom) AS wkb FROM resident_group ORDER BY id"
    )
    frame["wkb"] = [bytes(w) for w in frame["wkb"]]
    return frame


def place_households(conn: connection, tolerance_m: float) -> pd.DataFrame:
    """Put each staged household that no group covers (staged with no group) in the nearest
    group within `tolerance_m`; return row, group_id (None: no group near enough) and
    snapped_m (0 inside, else the distance to the nearest group)."""
    with conn.cursor() as cur:
        cur.execute(PLACE_NEAREST_SQL, {"tolerance": tolerance_m})
    return read_frame(conn, "SELECT row, group_id, snapped_m FROM _stage ORDER BY row")


def place_representatives(conn: connection) -> pd.DataFrame:
    """Resolve group codes; return row, group_code, known, outside_m (distance to own group)."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE _stage s SET group_id = g.id FROM resident_group g WHERE g.code = s.group_code"
        )
    return read_frame(
        conn,
        """SELECT s.row, s.group_code, s.group_id IS NOT NULL AS known,
            ST_Distance(g.geom::geography, s.geom::geography) AS outside_m
        FROM _stage s LEFT JOIN resident_group g ON g.id = s.group_id ORDER BY s.row""",
    )


def drop_rows(conn: connection, rows: list[int]) -> None:
    if rows:
        with conn.cursor() as cur:
            cur.execute("DELETE FROM _stage WHERE row = ANY(%s)", (rows,))


def existing_codes(conn: connection, kind: str) -> pd.DataFrame:
    table = "household" if kind == "households" else "representative"
    return read_frame(
        conn, f"SELECT s.row, s.code FROM _stage s JOIN {table} t ON t.code = s.code ORDER BY s.row"
    )


def changes(conn: connection, kind: str) -> pd.DataFrame:
    """row, code, change (new/updated/unchanged), moved, for every staged row."""
    sql = HOUSEHOLD_CHANGES_SQL if kind == "households" else REP_CHANGES_SQL
    return read_frame(conn, sql + " ORDER BY s.row")


def open_batch(conn: connection, kind: str, file_name: str, checksum: str, actor: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO import_batch (kind, file_name, checksum, actor) VALUES"
            " (%s, %s, %s, %s) RETURNING id",
            (kind, file_name, checksum, actor),
        )
        return int(cur.fetchone()[0])  # type: ignore[index]


def upsert(conn: connection, kind: str, batch: int) -> int:
    with conn.cursor() as cur:
        cur.execute(
            UPSERT_HOUSEHOLDS_SQL if kind == "households" else UPSERT_REPS_SQL, {"batch": batch}
        )
        return cur.rowcount


def record_batch(conn: connection, batch: int, counts: dict[str, object]) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE import_batch SET finished_at = clock_timestamp(), counts = %s WHERE id = %s",
            (json.dumps(counts, ensure_ascii=False), batch),
        )


def _copy_columns(conn: connection, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    copy_frame(conn, table, frame[columns], columns)
