"""Write a validated street into the store in one transaction (upserts by code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import copy_frame
from gridsvc.db.sameness import unchanged
from gridsvc.errors import InputError


class StreetFiles(Protocol):
    """A validated street folder, as ingest reads it."""

    folder: Path
    checksum: str
    areas: dict[str, pd.DataFrame]
    representatives: pd.DataFrame
    households: pd.DataFrame


_UPSERT_AREAS = {
    "communities": """
        INSERT INTO community (code, name, geom)
        SELECT code, name, ST_Multi(ST_GeomFromWKB(decode(wkb, 'hex'), 4490)) FROM _area
        ON CONFLICT (code) DO UPDATE SET name = excluded.name, geom = excluded.geom""",
    "sections": """
        INSERT INTO grid_section (code, name, community_id, geom)
        SELECT a.code, a.name, c.id, ST_Multi(ST_GeomFromWKB(decode(a.wkb, 'hex'), 4490))
        FROM _area a JOIN community c ON c.code = a.parent_code
        ON CONFLICT (code) DO UPDATE SET name = excluded.name,
            community_id = excluded.community_id, geom = excluded.geom""",
    "groups": """
        INSERT INTO resident_group (code, name, section_id, geom)
        SELECT a.code, a.name, s.id, ST_Multi(ST_GeomFromWKB(decode(a.wkb, 'hex'), 4490))
        FROM _area a JOIN grid_section s ON s.code = a.parent_code
        ON CONFLICT (code) DO UPDATE SET name = excluded.name,
            section_id = excluded.section_id, geom = excluded.geom""",
}

_UPSERT_REPS = f"""
    INSERT INTO representative (code, name, phone, group_id, role, party_member, active, geom,
                                import_batch_id)
    SELECT p.code, p.name, NULLIF(p.phone, ''), g.id, p.role, p.party_member, p.active,
           ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490), %(batch)s
    FROM _rep p JOIN resident_group g ON g.code = p.group_code
    ON CONFLICT (code) DO UPDATE SET name = excluded.name, phone = excluded.phone,
        group_id = excluded.group_id, role = excluded.role,
        party_member = excluded.party_member, active = excluded.active, geom = excluded.geom,
        import_batch_id = excluded.import_batch_id, updated_at = now()
    WHERE NOT {unchanged("representative", "representative", "excluded")}"""

_UPSERT_HOUSES = f"""
    INSERT INTO household (code, head_name, phone, address, group_id, section_id, key_category,
                           geom, import_batch_id)
    SELECT h.code, h.head_name, NULLIF(h.phone, ''), h.address, g.id, g.section_id,
           NULLIF(h.key_category, ''), ST_SetSRID(ST_MakePoint(h.lon, h.lat), 4490), %(batch)s
    FROM _house h JOIN resident_group g ON g.code = h.group_code
    ON CONFLICT (code) DO UPDATE SET head_name = excluded.head_name, phone = excluded.phone,
        address = excluded.address, group_id = excluded.group_id,
        section_id = excluded.section_id, key_category = excluded.key_category,
        geom = excluded.geom, import_batch_id = excluded.import_batch_id, updated_at = now()
    WHERE NOT {unchanged("household", "household", "excluded")}"""

_OUTSIDE_OWN_GROUP = """
    SELECT '{kind}', p.code, g.code FROM {table} p JOIN resident_group g ON g.id = p.group_id
    WHERE p.code = ANY(%s) AND NOT ST_Covers(g.geom, p.geom) LIMIT 5"""


def upsert_areas(conn: connection, level: str, areas: pd.DataFrame) -> int:
    """Upsert one level's areas (code, name, parent_code, wkb) by code; every parent code must
    name an area already in the store (or written just before, in the same transaction)."""
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _area (code text, name text,"
            " parent_code text, wkb text) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE _area")
        copy_frame(conn, "_area", areas[["code", "name", "parent_code", "wkb"]])
        parent = {"sections": "community", "groups": "grid_section"}.get(level)
        if parent:
            cur.execute(
                f"SELECT a.code, a.parent_code FROM _area a LEFT JOIN {parent} p"
                " ON p.code = a.parent_code WHERE p.id IS NULL LIMIT 5"
            )
            orphans = cur.fetchall()
            if orphans:
                listed = ", ".join(f"{code} (parent {p!r})" for code, p in orphans)
                raise InputError(f"{level}: parent codes not in the store: {listed}")
        cur.execute(_UPSERT_AREAS[level])
        return len(areas)


def write_street(conn: connection, street: StreetFiles) -> dict[str, int]:
    """Upsert every level and person; the caller's transaction makes it all-or-nothing."""
    counts: dict[str, int] = {}
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO import_batch (kind, file_name, checksum) VALUES ('street', %s, %s)"
            " RETURNING id",
            (str(street.folder), street.checksum),
        )
        batch = cur.fetchone()[0]  # type: ignore[index]
        for level in _UPSERT_AREAS:
            counts[level] = upsert_areas(conn, level, street.areas[level])
        cur.execute(
            "CREATE TEMP TABLE _rep (code text, name text, phone text, group_code text,"
            " role text, party_member boolean, active boolean, lon float8, lat float8)"
            " ON COMMIT DROP"
        )
        copy_frame(conn, "_rep", street.representatives)
        cur.execute(_UPSERT_REPS, {"batch": batch})
        counts["representatives_changed"] = cur.rowcount
        cur.execute(
            "CREATE TEMP TABLE _house (code text, head_name text, phone text,"
            " address text, group_code text, key_category text, lon float8,"
            " lat float8) ON COMMIT DROP"
        )
        copy_frame(conn, "_house", street.households)
        cur.execute(_UPSERT_HOUSES, {"batch": batch})
        counts["households_changed"] = cur.rowcount
        counts["representatives"] = len(street.representatives)
        counts["households"] = len(street.households)
        _check_people_inside(conn, street)
        cur.execute(
            "UPDATE import_batch SET finished_at = now(), counts = %s::jsonb WHERE id = %s",
            (json.dumps(counts), batch),
        )
    return counts


def _check_people_inside(conn: connection, street: StreetFiles) -> None:
    """Every person must stand inside their own group's polygon."""
    with conn.cursor() as cur:
        for kind, table, frame in (
            ("representatives", "representative", street.representatives),
            ("households", "household", street.households),
        ):
            cur.execute(_OUTSIDE_OWN_GROUP.format(kind=kind, table=table), (list(frame["code"]),))
            bad = cur.fetchall()
            if bad:
                listed = ", ".join(f"{code} (group {group})" for _, code, group in bad)
                raise InputError(
                    f"{street.folder / (kind + '.csv')}: points outside their "
                    f"own group's polygon: {listed}"
                )
