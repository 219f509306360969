"""Numbered SQL migrations under gridsvc/db/migrations, applied once each and recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg2.extensions

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 4_201_775  # pg_advisory_xact_lock key: one migrator at a time


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """The migration files shipped with the package, in order."""
    found = []
    for entry in resources.files("gridsvc.db").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def apply_migrations(conn: psycopg2.extensions.connection) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; return their numbers."""
    applied_now = []
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.commit()
        try:
            cur.execute("SELECT version FROM schema_migration")
            done = {row[0] for row in cur.fetchall()}
            for migration in available_migrations():
                if migration.version in done:
                    continue
                cur.execute(migration.sql)
                cur.execute(
                    "INSERT INTO schema_migration (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
                conn.commit()
                applied_now.append(migration.version)
        except BaseException:
            conn.rollback()
            raise
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
            conn.commit()
    return applied_now
