"""Numbered SQL migrations under gridsvc/db/migrations, applied once each and recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg2.errors
import psycopg2.extensions

from gridsvc.errors import DatabaseError

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 4_201_775  # pg_advisory_lock key: one migrator at a time


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
    """Apply the migrations not yet recorded, each in its own transaction; return their numbers.
    On the private cluster this runs as the schema's owner (roles.OWNER_ROLE); the service
    role may call it only when nothing is pending."""
    applied_now = []
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            # probe first: CREATE ... IF NOT EXISTS still needs the right to create
            cur.execute("SELECT to_regclass('schema_migration') IS NULL")
            if cur.fetchone()[0]:  # type: ignore[index]
                cur.execute(
                    "CREATE TABLE schema_migration (version integer PRIMARY KEY,"
                    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                )
            conn.commit()
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
        except psycopg2.errors.InsufficientPrivilege as exc:
            conn.rollback()
            raise DatabaseError(
                f"migrating needs the schema's owner ({str(exc).strip()}): run `gridsvc db up`"
            ) from exc
        except BaseException:
            if not conn.closed:
                conn.rollback()
            raise
        finally:
            if not conn.closed:  # a lost connection has released the lock with it
                cur.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
                conn.commit()
    return applied_now
