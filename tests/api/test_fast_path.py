"""The hot look-ups and OGC pages on the async driver: one statement per read, its audit row
written by that same statement (no answer without it), the public not audited."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import psycopg2
import pytest
from psycopg2.extensions import connection as Connection

from gridsvc.access import Actor, Role, Scope
from gridsvc.services import features, lookups_async
from tests.conftest import Server
from tests.helpers import assign

VIEWER = Actor(
    "key 7 (dashboard)", Role.viewer, key_id=None, via="GET /households/H/representative"
)
STAFF = Actor("key 8 (office)", Role.staff, Scope("community", "C01"), via="GET /locate")
PUBLIC = Actor("public", Role.public, via="GET /locate")


def run(conn: Connection, call: Callable[[Any], Awaitable[Any]]) -> tuple[Any, list[str]]:
    """`call(connection)` on an asyncpg connection to the same store; its answer and the
    statements it sent."""
    params = conn.get_dsn_parameters()

    async def go() -> tuple[Any, list[str]]:
        sent: list[str] = []
        target = await asyncpg.connect(
            user=params["user"],
            database=params["dbname"],
            host=params["host"],
            port=int(params["port"]),
        )
        target.add_query_logger(lambda record: sent.append(record.query))
        try:
            return await call(target), sent
        finally:
            await target.close()

    return asyncio.run(go())


def audit_rows(conn: Connection) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT actor, role, scope, action, method, path, subject, rows FROM audit_log")
        return cur.fetchall()


def first(conn: Connection, sql: str) -> tuple:
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()  # type: ignore[return-value]


@pytest.fixture
def street(small_street: Connection) -> Connection:
    assign(small_street)
    small_street.commit()
    return small_street


def test_a_household_look_up_writes_its_audit_row_in_its_own_statement(
    street: Connection,
) -> None:
    code, rep = first(
        street,
        "SELECT h.code, r.code FROM household h JOIN assignment a ON a.household_id = h.id"
        " AND a.run_id = (SELECT id FROM assignment_run WHERE in_force)"
        " JOIN representative r ON r.id = a.representative_id ORDER BY h.code LIMIT 1",
    )
    contact, sent = run(street, lambda c: lookups_async.household_representative(c, VIEWER, code))
    assert contact.code == rep
    assert len(sent) == 1 and "INSERT INTO audit_log" in sent[0]
    path = "/households/H/representative"
    assert audit_rows(street) == [
        (VIEWER.name, "viewer", "street", "lookups.household_representative", "GET", path, code, 1)
    ]


def test_no_answer_without_its_audit_row(street: Connection, pg_server: Server) -> None:
    """The read and its audit row are one statement: when the row cannot be written, the
    caller gets an error, not the data."""
    dbname = street.get_dsn_parameters()["dbname"]
    owner = psycopg2.connect(pg_server.owner.replace("{db}", dbname))
    with owner, owner.cursor() as cur:
        cur.execute("ALTER TABLE audit_log ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    owner.close()
    code = first(street, "SELECT code FROM representative ORDER BY code LIMIT 1")[0]
    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        run(street, lambda c: lookups_async.representative_households(c, VIEWER, code))
    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        run(street, lambda c: features.items_json(c, VIEWER, "contacts", None, 10, 0))
    assert audit_rows(street) == []


def test_a_representatives_households_and_a_point_are_one_statement_each(
    street: Connection,
) -> None:
    rep, lon, lat, group = first(
        street,
        "SELECT r.code, ST_X(r.geom), ST_Y(r.geom), g.code FROM representative r"
        " JOIN resident_group g ON g.id = r.group_id ORDER BY r.code LIMIT 1",
    )
    listed, sent = run(street, lambda c: lookups_async.representative_households(c, VIEWER, rep))
    assert len(sent) == 1 and listed.count == len(listed.households) >= 1
    located, sent = run(street, lambda c: lookups_async.locate(c, STAFF, lon, lat))
    assert len(sent) == 1 and located.group_code == group and located.representatives
    _, sent = run(street, lambda c: lookups_async.locate(c, PUBLIC, lon, lat))
    assert len(sent) == 1
    rows = audit_rows(street)
    assert [(r[0], r[3], r[6], r[7]) for r in rows] == [
        (VIEWER.name, "lookups.representative_households", rep, listed.count),
        (STAFF.name, "lookups.locate", group, len(located.representatives)),
    ]  # the public's look-up is not audited (it carries no personal data)
    assert rows[1][2] == "community:C01"


def test_an_ogc_page_of_contacts_is_audited_by_its_own_statement(street: Connection) -> None:
    (matched, returned, page), sent = run(
        street, lambda c: features.items_json(c, VIEWER, "contacts", None, 25, 5)
    )
    assert returned == 25 and matched > 25 and page.count(b'"type":"Feature"') == 25
    assert len([q for q in sent if "audit_log" in q]) == 1
    assert audit_rows(street)[-1][3:] == ("ogc.contacts", "GET", VIEWER.via[4:], "offset 5", 25)
    (_, returned, page), _ = run(
        street, lambda c: features.items_json(c, PUBLIC, "groups", None, 3, 0)
    )
    assert returned == 3 and len(audit_rows(street)) == 1  # areas are no one's personal data


def test_a_representative_sees_their_own_home_only(street: Connection) -> None:
    rep = first(street, "SELECT code FROM representative ORDER BY code LIMIT 1")[0]
    actor = Actor(f"key 9 ({rep})", Role.representative, Scope("representative", rep))
    (_, returned, page), _ = run(
        street, lambda c: features.items_json(c, actor, "representatives", None, 1000, 0)
    )
    found = json.loads(b"[" + page + b"]")
    own = [f for f in found if f["id"] == rep]
    assert returned == len(found) > 1 and own and own[0]["geometry"]["type"] == "Point"
    assert all(f["geometry"] is None for f in found if f["id"] != rep)
