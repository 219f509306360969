"""The one access policy, per role and scope, across the API, OGC API, maps and exports: one
table decides, and every door gives the same answer."""

from __future__ import annotations

import io
import json

import pandas as pd
import psycopg2
import pytest

from gridsvc.access import FIELD_POLICY, Role, Scope, Show
from gridsvc.services import keys
from tests.api.conftest import Live
from tests.helpers import PLANNER


def query(live: Live, sql: str, params: object = None) -> list[tuple]:
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    conn.close()
    return rows


def test_the_table_covers_every_role() -> None:
    for field, shows in FIELD_POLICY.items():
        assert len(shows) == len(Role), field
        assert shows[Role.staff] is Show.full, field  # staff see their scope in full
    # the public never gets a household's data or a home
    for field in ("household.head_name", "household.phone", "household.point", "contact.line"):
        assert FIELD_POLICY[field][Role.public] is Show.hidden


def test_key_households_are_for_staff_on_every_page(live: Live) -> None:
    """The home page and /groups agree: key-household counts are staff's."""
    assert "重点户" not in live.client().get("/").text
    groups = live.client().get("/groups").json()
    assert all(g["key_households"] is None for g in groups)
    staff = live.client("staff").get("/groups").json()
    assert sum(g["key_households"] for g in staff) > 0


def test_min_load_zero_is_not_read_as_the_default(live: Live) -> None:
    code = query(live, "SELECT code FROM representative ORDER BY code LIMIT 1")[0][0]
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute("UPDATE representative SET min_load = 0 WHERE code = %s", (code,))
    conn.commit()
    try:
        body = live.client("viewer").get(f"/representatives/{code}").json()
        assert body["min_load"] == 0
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE representative SET min_load = NULL WHERE code = %s", (code,))
        conn.commit()
        conn.close()


@pytest.fixture(scope="module")
def scoped(live: Live) -> dict[str, str]:
    """Keys scoped to the first community, as a viewer and as staff."""
    conn = psycopg2.connect(live.db_url)
    made = {
        role.name: keys.create_key(
            conn, PLANNER, f"GH01 {role.name}", role, Scope("community", "GH01")
        )
        for role in (Role.viewer, Role.staff)
    }
    conn.close()
    return made


def test_a_community_scoped_key_sees_no_other_communitys_people(
    live: Live, scoped: dict[str, str]
) -> None:
    other = query(
        live,
        """SELECT h.code, h.head_name, h.phone FROM household h JOIN grid_section s
        ON s.id = h.section_id JOIN community c ON c.id = s.community_id
        WHERE c.code = 'GH02' ORDER BY h.code LIMIT 1""",
    )[0]
    own = query(
        live,
        """SELECT h.code, h.head_name FROM household h JOIN grid_section s
        ON s.id = h.section_id JOIN community c ON c.id = s.community_id
        WHERE c.code = 'GH01' ORDER BY h.code LIMIT 1""",
    )[0]
    staff = live.client()
    staff.headers["X-API-Key"] = scoped["staff"]
    mine = staff.get(f"/households/{own[0]}").json()
    assert mine["head_name"] == own[1]
    theirs = staff.get(f"/households/{other[0]}").json()
    assert theirs["head_name"] is None and theirs["phone"] is None and theirs["lon"] is None
    exported = staff.get("/exports/contacts", params={"format": "csv"})
    frame = pd.read_csv(io.BytesIO(exported.content), encoding="utf-8-sig", dtype=str)
    assert set(frame["社区"]) == {"GH01"} and other[1] not in exported.text
    lines = staff.get("/ogc/collections/contacts/items", params={"limit": 10000}).json()
    coded = [f for f in lines["features"] if f["properties"]["household_code"] == other[0]]
    assert coded and all(f["geometry"] is None for f in coded)
    section = query(
        live,
        "SELECT s.code FROM grid_section s JOIN community c ON c.id = s.community_id"
        " WHERE c.code = 'GH02' ORDER BY s.code LIMIT 1",
    )[0][0]
    page = staff.get(f"/maps/sections/{section}").text
    assert other[1] not in page and json.dumps(other[1])[1:-1] not in page
    assert staff.get(f"/maps/sections/{section}.pdf").status_code == 403


def test_reads_are_audited_with_the_real_actor(live: Live) -> None:
    code = query(live, "SELECT code FROM household ORDER BY code LIMIT 1")[0][0]
    before = query(live, "SELECT coalesce(max(id), 0) FROM audit_log")[0][0]
    live.client("staff").get("/locate", params={"lon": 113.15, "lat": 27.85})
    live.client("planner").get(f"/households/{code}")
    rows = query(
        live,
        "SELECT actor, role, action, path FROM audit_log WHERE id > %s ORDER BY id",
        (before,),
    )
    assert [r[2] for r in rows] == ["lookups.locate", "lookups.household"]
    assert rows[0][0].endswith("(test staff)") and rows[1][0].endswith("(test planner)")
    assert rows[1][3] == f"/households/{code}"


def test_a_representative_sees_their_own_households_only(live: Live) -> None:
    rep, own, other = query(
        live,
        """SELECT r.code, h.code, (SELECT h2.code FROM household h2 JOIN assignment a2
             ON a2.household_id = h2.id AND a2.run_id = a.run_id
             WHERE a2.representative_id <> r.id ORDER BY h2.code LIMIT 1)
        FROM representative r JOIN assignment a ON a.representative_id = r.id
        AND a.run_id = (SELECT id FROM assignment_run WHERE in_force)
        JOIN household h ON h.id = a.household_id ORDER BY r.code, h.code LIMIT 1""",
    )[0]
    conn = psycopg2.connect(live.db_url)
    key = keys.create_key(conn, PLANNER, "代表", Role.representative, Scope("representative", rep))
    with pytest.raises(Exception, match="representative:CODE"):
        keys.create_key(conn, PLANNER, "代表", Role.representative)
    conn.close()
    client = live.client()
    client.headers["X-API-Key"] = key
    mine = client.get(f"/households/{own}").json()
    theirs = client.get(f"/households/{other}").json()
    assert mine["head_name"] and "*" not in mine["head_name"] and mine["lon"] is not None
    assert theirs["head_name"] is None and theirs["phone"] is None and theirs["lon"] is None
    listed = client.get(f"/representatives/{rep}/households").json()
    assert all(h["head_name"] and "*" not in h["head_name"] for h in listed["households"])
    exported = client.get("/exports/contacts", params={"format": "csv"})
    frame = pd.read_csv(io.BytesIO(exported.content), encoding="utf-8-sig", dtype=str)
    assert set(frame["代表编号"]) == {rep} and len(frame) == listed["count"]
