"""The schema and its migrations in a real PostGIS."""

from __future__ import annotations

import psycopg2
import pytest

from gridsvc.db.connection import Connection
from gridsvc.db.migrate import apply_migrations, available_migrations


def test_migrations_are_recorded_and_reapplying_is_harmless(empty_db: Connection) -> None:
    assert apply_migrations(empty_db) == []
    with empty_db.cursor() as cur:
        cur.execute("SELECT version FROM schema_migration ORDER BY version")
        assert [r[0] for r in cur.fetchall()] == [m.version for m in available_migrations()]
        cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
        assert cur.fetchone()[0].startswith("3.")


def test_a_household_cannot_sit_in_a_group_of_another_section(sample_conn: Connection) -> None:
    with sample_conn.cursor() as cur:
        cur.execute(
            "SELECT g.id, s.id FROM resident_group g JOIN grid_section s"
            " ON s.id <> g.section_id LIMIT 1"
        )
        group_id, other_section = cur.fetchone()
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):
            cur.execute(
                "INSERT INTO household (code, group_id, section_id, geom) VALUES"
                " ('X1', %s, %s, ST_SetSRID(ST_MakePoint(113.15, 27.85), 4490))",
                (group_id, other_section),
            )


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("phone", "12345", psycopg2.errors.CheckViolation),
        ("key_category", "富裕", psycopg2.errors.ForeignKeyViolation),
    ],
)
def test_the_schema_refuses_bad_people(
    sample_conn: Connection, column: str, value: str, error: type
) -> None:
    with sample_conn.cursor() as cur:
        cur.execute("SELECT id, section_id FROM resident_group LIMIT 1")
        group_id, section_id = cur.fetchone()
        with pytest.raises(error):
            cur.execute(
                f"INSERT INTO household (code, group_id, section_id, geom, {column})"
                " VALUES ('X2', %s, %s, ST_SetSRID(ST_MakePoint(113.15, 27.85), 4490),"
                " %s)",
                (group_id, section_id, value),
            )


def test_only_one_run_can_be_in_force(empty_db: Connection) -> None:
    with empty_db.cursor() as cur:
        cur.execute("INSERT INTO assignment_run (status, in_force) VALUES ('done', true)")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO assignment_run (status, in_force) VALUES ('done', true)")
