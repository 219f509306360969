"""The store's roles: an owner that migrations run as, and the service's role with data rights."""

from __future__ import annotations

import contextlib

import psycopg2
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import cursor

ADMIN_ROLE = "postgres"  # the cluster's superuser: the operator's psql, creating databases
OWNER_ROLE = "gridsvc_owner"  # owns the schema; migrations run as it
APP_ROLE = "gridsvc"  # what gridsvc connects as: reads and writes rows, no DDL, no superuser

_NOT_AN_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend d
    WHERE d.classid = {catalog}::regclass AND d.objid = o.oid AND d.deptype = 'e')"""
# what the owner should own in `public` but another role (a store made before the roles) does
_FOREIGN_RELATIONS = f"""
    SELECT o.relkind, o.oid::regclass::text FROM pg_class o
    WHERE o.relnamespace = 'public'::regnamespace AND o.relowner <> %(owner)s::regrole
      AND o.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND {_NOT_AN_EXTENSION_MEMBER.format(catalog="'pg_class'")}
    ORDER BY o.relkind = 'S'"""  # tables first: they take their own sequences along
_FOREIGN_ROUTINES = f"""
    SELECT 'routine', o.oid::regprocedure::text FROM pg_proc o
    WHERE o.pronamespace = 'public'::regnamespace AND o.proowner <> %(owner)s::regrole
      AND o.prokind IN ('f', 'p') AND {_NOT_AN_EXTENSION_MEMBER.format(catalog="'pg_proc'")}"""
_FOREIGN_TYPES = f"""
    SELECT CASE o.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, o.oid::regtype::text
    FROM pg_type o LEFT JOIN pg_class c ON c.oid = o.typrelid
    WHERE o.typnamespace = 'public'::regnamespace AND o.typowner <> %(owner)s::regrole
      AND (o.typtype IN ('e', 'd') OR (o.typtype = 'c' AND c.relkind = 'c'))
      AND {_NOT_AN_EXTENSION_MEMBER.format(catalog="'pg_type'")}"""
_ALTER = {
    "r": "TABLE",
    "p": "TABLE",
    "f": "FOREIGN TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "S": "SEQUENCE",
    "routine": "ROUTINE",
    "domain": "DOMAIN",
    "type": "TYPE",
}


def ensure_roles(admin_url: str) -> None:
    """Create the owner and the service role if missing, and hold them to no superpowers."""
    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for role in (OWNER_ROLE, APP_ROLE):
                name = sql.Identifier(role)
                with contextlib.suppress(psycopg2.errors.DuplicateObject):
                    cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
                cur.execute(
                    sql.SQL(
                        "ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                        " NOREPLICATION NOBYPASSRLS"
                    ).format(name)
                )
    finally:
        conn.close()


def has_roles(admin_url: str) -> bool:
    """Whether the server behind `admin_url` has gridsvc's two roles."""
    conn = psycopg2.connect(admin_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)", (OWNER_ROLE, APP_ROLE)
            )
            return bool(cur.fetchone()[0] == 2)  # type: ignore[index]
    finally:
        conn.close()


def prepare_database(admin_url: str, name: str) -> None:
    """Make database `name` the owner's, with PostGIS (only a superuser may create it) and
    with the service role allowed to connect and to read and write every table's rows, those
    of later migrations included. Idempotent; also adopts what a store made before the roles
    holds, so that the owner's migrations can alter it."""
    conn = psycopg2.connect(admin_url, dbname=name)
    try:
        with conn, conn.cursor() as cur:
            db, owner, app = (sql.Identifier(n) for n in (name, OWNER_ROLE, APP_ROLE))
            for statement in (
                "ALTER DATABASE {db} OWNER TO {owner}",
                "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
                "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
                "CREATE EXTENSION IF NOT EXISTS postgis",
                "ALTER SCHEMA public OWNER TO {owner}",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "GRANT USAGE ON SCHEMA public TO {app}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
                " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
                " GRANT USAGE ON SEQUENCES TO {app}",
            ):
                cur.execute(sql.SQL(statement).format(db=db, owner=owner, app=app))
            _adopt(cur)
            _grant_existing(cur)
    finally:
        conn.close()


def _adopt(cur: cursor) -> None:
    for query in (_FOREIGN_RELATIONS, _FOREIGN_ROUTINES, _FOREIGN_TYPES):
        cur.execute(query, {"owner": OWNER_ROLE})
        for kind, qualified in cur.fetchall():
            if kind == "S":  # a serial's sequence has already gone along with its table
                cur.execute(
                    "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
                    (qualified,),
                )
                if cur.fetchone()[0] == OWNER_ROLE:  # type: ignore[index]
                    continue
            # `qualified` comes from regclass/regprocedure/regtype output: already quoted
            cur.execute(
                sql.SQL("ALTER {} {} OWNER TO {}").format(
                    sql.SQL(_ALTER[kind]), sql.SQL(qualified), sql.Identifier(OWNER_ROLE)
                )
            )


def _grant_existing(cur: cursor) -> None:
    """Default privileges cover what the owner creates from now on; this covers the rest."""
    cur.execute(
        "SELECT relkind, oid::regclass::text FROM pg_class WHERE relnamespace ="
        " 'public'::regnamespace AND relowner = %s::regrole AND relkind IN ('r','p','v','m','S')",
        (OWNER_ROLE,),
    )
    for kind, qualified in cur.fetchall():
        rights = "USAGE ON SEQUENCE" if kind == "S" else "SELECT, INSERT, UPDATE, DELETE ON"
        cur.execute(
            sql.SQL("GRANT {} {} TO {}").format(
                sql.SQL(rights), sql.SQL(qualified), sql.Identifier(APP_ROLE)
            )
        )
