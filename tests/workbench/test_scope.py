"""A person (or key) of community GH01 never sees GH02's people: every page, API answer, OGC
item, map and export they can fetch is searched for GH02's household names and phones."""

from __future__ import annotations

import json

import httpx
import psycopg2
import pytest

from gridsvc.access import Role, Scope
from gridsvc.assign import Params
from gridsvc.services import keys, requests
from gridsvc.services.request_intake import Submission
from gridsvc.services.request_rules import RequestRules
from tests.helpers import PLANNER, assign
from tests.workbench.conftest import Bench

OWN, OTHER = "GH01", "GH02"


def _people(bench: Bench) -> tuple[set[str], set[str], dict[str, str]]:
    """GH02's head names that cannot be met by chance elsewhere (not a representative's public
    name, not inside any GH01 name), GH02's phones, and one code of each kind per community."""
    conn = psycopg2.connect(bench.db_url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.code, h.head_name, h.phone, h.code, s.code FROM household h"
            " JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id"
        )
        rows = cur.fetchall()
        cur.execute(
            "SELECT c.code, r.code, r.name FROM representative r JOIN resident_group g"
            " ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id"
            " JOIN community c ON c.id = s.community_id"
        )
        reps = cur.fetchall()
    conn.close()
    public = {name for _, _, name in reps} | {h for c, h, *_ in rows if c == OWN}
    names = {h for c, h, *_ in rows if c == OTHER}
    names = {n for n in names if not any(n in p for p in public)}
    phones = {p for c, _, p, *_ in rows if c == OTHER and p}
    codes = {
        "own_household": next(r[3] for r in rows if r[0] == OWN),
        "other_household": next(r[3] for r in rows if r[0] == OTHER),
        "own_section": next(r[4] for r in rows if r[0] == OWN),
        "other_section": next(r[4] for r in rows if r[0] == OTHER),
        "other_rep": next(r[1] for r in reps if r[0] == OTHER),
        "own_rep": next(r[1] for r in reps if r[0] == OWN),
    }
    return names, phones, codes


def _paths(client: httpx.Client, codes: dict[str, str]) -> list[str]:
    paths = [
        "/",
        "/workbench/runs",
        "/workbench/scenarios",
        "/workbench/exports",
        f"/workbench/sections/{codes['own_section']}",
        f"/workbench/sections/{codes['other_section']}",
        "/maps/overview",
        f"/maps/sections/{codes['own_section']}",
        f"/maps/sections/{codes['other_section']}",
        f"/maps/sections/{codes['other_section']}.pdf",
        "/communities",
        "/sections",
        "/groups",
        f"/households/{codes['other_household']}",
        f"/households/{codes['other_household']}/representative",
        f"/households/{codes['own_household']}",
        f"/representatives/{codes['other_rep']}",
        f"/representatives/{codes['other_rep']}/households",
        f"/representatives/{codes['own_rep']}/households",
        "/exports/contacts?format=csv",
        "/exports/contacts?format=geojson",
        "/audit?level=group&limit=5000",
        "/audit?level=representative&limit=5000",
        "/runs",
        "/pins",
        "/scenarios",
        "/ogc/collections",
        # the other issues' answers: requests, visits, points, rota, the organisation's people
        "/requests",
        "/requests/overdue",
        "/requests/due-soon",
        "/requests/figures",
        f"/requests/digest/{codes['other_rep']}",
        "/visits",
        "/visits/shares",
        "/visits/overdue",
        "/points",
        "/rota",
        "/people/gaps",
    ]
    runs = client.get("/runs?limit=2").json() if client.get("/runs").status_code == 200 else []
    if len(runs) == 2:
        a, b = runs[1]["id"], runs[0]["id"]
        paths += [f"/runs/{a}/diff/{b}", f"/runs/{a}/diff/{b}/notifications?format=csv"]
    paths.append("/workbench/scenarios/compare?a=scope-a&b=scope-b")
    collections = client.get("/ogc/collections").json()["collections"]
    for c in collections:
        paths.append(f"/ogc/collections/{c['id']}/items?limit=10000")
    return paths


def _leaks(client: httpx.Client, codes: dict[str, str], names: set[str], phones: set[str]) -> dict:
    found: dict[str, list[str]] = {}
    statuses = {}
    for path in _paths(client, codes):
        answer = client.get(path)
        statuses[path] = answer.status_code
        assert answer.status_code < 500, (path, answer.text[:300])
        text = answer.content.decode("utf-8", "replace")
        # names may travel as JSON escapes (\\u9f99\\u52c7) inside a page's script: both forms
        hits = [n for n in names if n in text or json.dumps(n)[1:-1] in text]
        hits += [p for p in phones if p in text]
        if hits:
            found[path] = hits[:5]
    return {"leaks": found, "statuses": statuses}


def _other_requests(bench: Bench) -> None:
    """Residents of the other community report, naming themselves and leaving their phone:
    the requests' queues and figures must not show them to this community."""
    conn = psycopg2.connect(bench.db_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT h.code, h.head_name, h.phone, r.code FROM household h"
            " JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id"
            " JOIN assignment a ON a.household_id = h.id AND a.run_id ="
            "   (SELECT id FROM assignment_run WHERE in_force)"
            " JOIN representative r ON r.id = a.representative_id"
            " WHERE c.code = %s AND h.phone IS NOT NULL ORDER BY h.code LIMIT 3",
            (OTHER,),
        )
        found = cur.fetchall()
    category = requests.categories(conn)[0]["code"]
    for household, head, phone, rep in found:
        text = f"我是{head}，电话{phone}，楼道灯坏了"
        submission = Submission(category, text, rep, household, phone)
        requests.submit(conn, PLANNER, RequestRules(), submission)  # the office, for them
    conn.close()


@pytest.fixture(scope="module")
def people(bench: Bench) -> tuple[set[str], set[str], dict[str, str]]:
    conn = psycopg2.connect(bench.db_url)
    conn.autocommit = True
    for name, load in (("scope-a", 15), ("scope-b", 12)):  # the compare page has data
        assign(conn, Params(max_load=load), scenario=name)
    conn.close()
    _other_requests(bench)
    names, phones, codes = _people(bench)
    assert len(names) > 50 and len(phones) > 50  # enough to search for
    return names, phones, codes


@pytest.mark.parametrize("account", ["viewer1", "staff1", "planner1"])
def test_a_community_account_sees_nothing_of_another_community(
    bench: Bench, people: tuple, account: str
) -> None:
    names, phones, codes = people
    seen = _leaks(bench.login(account), codes, names, phones)
    assert seen["leaks"] == {}
    statuses = seen["statuses"]
    assert statuses[f"/workbench/sections/{codes['other_section']}"] == 403
    assert statuses[f"/workbench/sections/{codes['own_section']}"] == 200


def test_a_community_key_sees_nothing_of_another_community(bench: Bench, people: tuple) -> None:
    names, phones, codes = people
    conn = psycopg2.connect(bench.db_url)
    conn.autocommit = True
    key = keys.create_key(conn, PLANNER, "community staff", Role.staff, Scope("community", OWN))
    conn.close()
    client = httpx.Client(base_url=bench.url, headers={"X-API-Key": key}, timeout=120)
    assert _leaks(client, codes, names, phones)["leaks"] == {}


def test_the_search_finds_names_where_they_may_be_seen(bench: Bench, people: tuple) -> None:
    """The control: the street's planner does get GH02's names in the same answers."""
    names, phones, codes = people
    seen = _leaks(bench.login("planner"), codes, names, phones)
    assert "/exports/contacts?format=csv" in seen["leaks"]
    assert f"/workbench/sections/{codes['other_section']}" in seen["leaks"]
    assert "/requests" in seen["leaks"]  # the other community's requests, with their phones
