"""The workbench in real Chromium with no network: log in, pin a household by clicking on the
map and see its line move after a run, make, compare and promote a scenario, check a register
with a bad row before importing it, and /docs and /redoc render from local files."""

from __future__ import annotations

import csv
import secrets
from pathlib import Path

import psycopg2
import pytest
from playwright.sync_api import Browser, Page

from tests.workbench.conftest import Bench, browser_login, offline_context

pytestmark = pytest.mark.slow


def _query(bench: Bench, sql: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(bench.db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _click_at(page: Page, lat: float, lon: float) -> None:
    """Click the map where a point is drawn (Leaflet's own projection gives the pixel)."""
    point = page.evaluate(
        "([lat, lon]) => { const p = window.workbench.map.latLngToContainerPoint([lat, lon]);"
        " const box = document.getElementById('map').getBoundingClientRect();"
        " return [box.left + p.x, box.top + p.y]; }",
        [lat, lon],
    )
    page.mouse.click(point[0], point[1])


# a household drawn alone (others of its point included), away from every representative's
# marker and the zoom buttons, whose point holds no key household (their caps may refuse)
FIND_HOUSEHOLD = """() => {
  const w = window.workbench, m = w.map, px = (o) => m.latLngToContainerPoint([o.lat, o.lon]);
  const reps = Object.values(w.representatives), hs = w.data.households.filter(h => h.lat !== null);
  for (const h of hs) {
    const p = px(h), here = hs.filter(o => o.lat === h.lat && o.lon === h.lon);
    if (p.x < 70 || p.y < 90 || here.some(o => o.key_category)) continue;
    if (reps.some(r => px(r).distanceTo(p) < 16)) continue;
    if (hs.some(o => (o.lat !== h.lat || o.lon !== h.lon) && px(o).distanceTo(p) < 9)) continue;
    return {code: h.code, lat: h.lat, lon: h.lon};
  }
  return null;
}"""
# a representative of the household's group, not its own, with room, clickable on the map
FIND_REPRESENTATIVE = """(code) => {
  const w = window.workbench, m = w.map, px = (o) => m.latLngToContainerPoint([o.lat, o.lon]);
  const h = w.data.households.find(o => o.code === code), reps = Object.values(w.representatives);
  const own = reps.find(r => r.code === h.rep_code);
  for (const r of reps) {
    if (r.code === h.rep_code || r.load >= 14 || (own && r.group_code !== own.group_code)) continue;
    if (reps.some(o => o !== r && px(o).distanceTo(px(r)) < 20)) continue;
    return {code: r.code, lat: r.lat, lon: r.lon};
  }
  return null;
}"""


def test_log_in_and_every_page_loads_offline(bench: Bench, browser: Browser) -> None:
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    assert "planner · planner · street" in page.inner_text("nav.top")
    for path in (
        "/workbench/runs",
        "/workbench/scenarios",
        "/workbench/import",
        "/workbench/exports",
    ):
        page.goto(bench.url + path)
        assert page.locator("h1").count() == 1
    assert context.blocked == []  # type: ignore[attr-defined]
    context.close()


def test_pin_by_clicking_on_the_map_then_a_run_moves_the_line(
    bench: Bench, browser: Browser
) -> None:
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    section = "GH02-S01"
    page.goto(f"{bench.url}/workbench/sections/{section}")
    target = page.evaluate(FIND_HOUSEHOLD)
    assert target is not None
    _click_at(page, target["lat"], target["lon"])
    household = page.input_value("#pin-household")
    assert household  # the click picked a household of that point
    rep = page.evaluate(FIND_REPRESENTATIVE, household)
    assert rep is not None
    _click_at(page, rep["lat"], rep["lon"])
    assert page.input_value("#pin-representative") == rep["code"]
    page.click("#pin-submit")
    page.wait_for_selector("p.notice")
    assert f"{household} → {rep['code']}" in page.inner_text("p.notice")
    assert _query(
        bench,
        "SELECT p.actor FROM pin p JOIN household h ON h.id = p.household_id"
        " JOIN representative r ON r.id = p.representative_id WHERE h.code = %s AND r.code = %s",
        (household, rep["code"]),
    ) == [("planner",)]
    # the run of this section, with its progress bar, and the household in the notice list
    page.click("form.run-form button")
    page.wait_for_selector("#run-result", timeout=120_000)
    assert household in page.inner_text("#notifications")
    page.goto(f"{bench.url}/workbench/sections/{section}")
    end = page.evaluate("(code) => window.workbench.lines[code].getLatLngs()[1]", household)
    assert (round(end["lat"], 6), round(end["lng"], 6)) == (
        round(rep["lat"], 6),
        round(rep["lon"], 6),
    )
    assert _query(bench, "SELECT actor FROM assignment_run WHERE in_force") == [("planner",)]
    assert context.blocked == []  # type: ignore[attr-defined]
    context.close()


def test_make_compare_and_promote_a_scenario(bench: Bench, browser: Browser) -> None:
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    names = [f"s{secrets.token_hex(3)}", f"t{secrets.token_hex(3)}"]
    for name, load in zip(names, ("", "12"), strict=True):
        page.goto(f"{bench.url}/workbench/scenarios")
        page.fill("input[name=name]", name)
        page.fill("input[name=max_load]", load)
        page.click("form.run-form button")
        page.wait_for_selector("p.notice", timeout=120_000)
        assert f"方案 {name} 已计算" in page.inner_text("p.notice")
    page.select_option("select[name=a]", names[0])
    page.select_option("select[name=b]", names[1])
    page.click("text=并排比较 side by side")
    page.wait_for_selector("#differ")
    headers = page.inner_text("#figures tr:first-child")
    assert names[0] in headers and names[1] in headers
    differ = page.locator("#differ tr").count() - 1
    assert differ > 0  # a lower maximum load moves households
    drawn = page.evaluate(
        "() => window.compareMaps.map(m => { let n = 0;"
        " m.eachLayer(l => { if (l instanceof L.Polyline) n++; }); return n; })"
    )
    assert len(drawn) == 2 and min(drawn) > 0  # two maps, lines to each one's representative
    page.click(f"text=生效 promote {names[1]}")
    page.wait_for_selector("p.notice")
    assert f"方案 {names[1]} 已生效" in page.inner_text("p.notice")
    assert _query(bench, "SELECT scenario, actor FROM assignment_run WHERE in_force") == [
        (names[1], "planner")
    ]
    context.close()


def test_a_register_with_a_bad_row_is_reported_before_importing(
    bench: Bench, browser: Browser, small_street_folder: Path, tmp_path: Path
) -> None:
    with (small_street_folder / "households.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:6]
    rows[2]["lon"] = "东经一百一十三度"  # the bad row: file row 4 (after the header)
    path = tmp_path / "户籍.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = _query(bench, "SELECT count(*) FROM import_batch")[0][0]
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    page.goto(f"{bench.url}/workbench/import")
    page.set_input_files("input[type=file]", str(path))
    page.click("#check")
    page.wait_for_selector("#report", timeout=120_000)
    assert "试运行" in page.inner_text("#report p.notice")
    assert page.locator("#rejected tr").count() == 2  # its header and the bad row
    assert "lon" in page.inner_text("#rejected").lower()
    assert "导入这 5 行" in page.inner_text("#commit")
    assert _query(bench, "SELECT count(*) FROM import_batch")[0][0] == before  # nothing kept
    page.click("#commit")
    page.wait_for_selector("text=已导入 imported", timeout=120_000)
    assert _query(bench, "SELECT count(*), max(actor) FROM import_batch WHERE id > %s", (0,))[
        0
    ] == (before + 1, "planner")
    context.close()


def test_docs_and_redoc_render_with_no_network(bench: Bench, browser: Browser) -> None:
    context = offline_context(browser)
    page = context.new_page()
    page.goto(f"{bench.url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    assert page.locator("button.authorize").count() == 1  # the declared security schemes
    page.goto(f"{bench.url}/redoc")
    page.wait_for_selector("[data-section-id]", timeout=30_000)
    assert context.blocked == []  # type: ignore[attr-defined]
    context.close()


def test_mark_a_representative_inactive_and_back(bench: Bench, browser: Browser) -> None:
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    page.goto(f"{bench.url}/workbench/sections/GH01-S02")
    code = page.get_attribute("#representatives button[data-rep]", "data-rep")
    page.click(f"#representatives button[data-rep='{code}']")
    page.wait_for_selector("p.notice")
    assert f"{code} 已停用" in page.inner_text("p.notice")
    assert code in page.inner_text("#inactive")
    assert _query(bench, "SELECT active FROM representative WHERE code = %s", (code,)) == [(False,)]
    page.click(f"#inactive button[data-rep='{code}']")
    page.wait_for_selector("p.notice")
    assert _query(bench, "SELECT active FROM representative WHERE code = %s", (code,)) == [(True,)]
    audit = _query(
        bench,
        "SELECT actor, action FROM audit_log WHERE subject = %s"
        " AND action LIKE 'representatives.%%'"
        " ORDER BY id",
        (code,),
    )
    assert audit == [("planner", "representatives.inactive"), ("planner", "representatives.active")]
    context.close()


def test_propose_a_representative_at_a_clicked_point(bench: Bench, browser: Browser) -> None:
    context = offline_context(browser)
    page = browser_login(context, bench, "planner")
    page.goto(f"{bench.url}/workbench/sections/GH01-S01")
    page.check("#propose-mode")
    box = page.locator("#map").bounding_box()
    assert box is not None
    # the middle of the map lies inside the section (the map is fitted to its groups)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lon, lat = float(page.input_value("#propose-lon")), float(page.input_value("#propose-lat"))
    name = f"p{secrets.token_hex(3)}"
    page.fill("#propose-form input[name=code]", "P9001")
    page.fill("#propose-form input[name=scenario]", name)
    page.click("#propose-submit")
    page.wait_for_selector("p.notice", timeout=120_000)
    assert f"方案 {name}：拟增代表 P9001 已计算" in page.inner_text("p.notice")
    stored = _query(
        bench,
        "SELECT active, proposed_in, ST_X(geom), ST_Y(geom) FROM representative"
        " WHERE code = 'P9001'",
    )
    assert stored[0][:2] == (False, name)
    assert (round(stored[0][2], 6), round(stored[0][3], 6)) == (round(lon, 6), round(lat, 6))
    assert _query(bench, "SELECT actor FROM assignment_run WHERE scenario = %s", (name,)) == [
        ("planner",)
    ]
    context.close()
