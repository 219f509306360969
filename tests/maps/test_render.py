"""Rendered maps and print material, opened in real headless Chromium with every non-local
request blocked; counts compared with the database; PDFs read back with poppler."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import psycopg2
import pytest
from PIL import Image, ImageStat

from gridsvc.assign import Params
from gridsvc.db.connection import Connection
from gridsvc.maps.chromium import printer
from gridsvc.services.maps import render_files
from tests.helpers import PLANNER, assign

SECTIONS = ["GH01-S01", "GH05-S02"]
PHONE = re.compile(r"1[3-9]\d{9}")
KEY_WORDS = ("低保", "残障", "独居老人", "孤儿", "重点户")


@pytest.fixture(scope="module")
def rendered(sample_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("maps")
    conn = psycopg2.connect(sample_url)
    assign(conn, Params(), fresh=True)
    done = render_files(
        conn,
        PLANNER,
        out,
        sections=SECTIONS,
        formats=("html", "png", "pdf"),
        public_url="https://grid.example.cn",
    )
    conn.close()
    assert not done.problems, done.problems
    return out


def counts_in_db(conn: Connection, code: str) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute(
            """SELECT
            (SELECT count(*) FROM resident_group g JOIN grid_section s ON s.id = g.section_id
             WHERE s.code = %(c)s),
            (SELECT count(*) FROM representative r JOIN resident_group g ON g.id = r.group_id
             JOIN grid_section s ON s.id = g.section_id WHERE s.code = %(c)s AND r.active),
            (SELECT count(*) FROM household h JOIN grid_section s ON s.id = h.section_id
             WHERE s.code = %(c)s),
            (SELECT count(*) FROM assignment a JOIN household h ON h.id = a.household_id
             JOIN grid_section s ON s.id = h.section_id WHERE s.code = %(c)s
             AND a.representative_id IS NOT NULL
             AND a.run_id = (SELECT id FROM assignment_run WHERE in_force))""",
            {"c": code},
        )
        groups, reps, houses, lines = cur.fetchone()
    return {"groups": groups, "representatives": reps, "households": houses, "contacts": lines}


def drawn(url: str) -> tuple[dict[str, int], list[str], list[str]]:
    """Open a page offline; return the layers Leaflet drew, blocked requests, console errors."""
    with printer() as chrome, chrome.page(url) as (page, log):
        page.wait_for_function("window.gridsvcLayers !== undefined")
        counts = page.evaluate(
            "Object.fromEntries(Object.entries(window.gridsvcLayers)"
            ".map(([k, l]) => [k, l.getLayers().length]))"
        )
        return counts, log.blocked, log.console_errors


@pytest.mark.parametrize("code", SECTIONS)
def test_section_map_draws_exactly_what_the_store_holds(
    rendered: Path, sample_conn, code: str
) -> None:  # type: ignore[no-untyped-def]
    counts, blocked, errors = drawn((rendered / "sections" / f"{code}.html").as_uri())
    assert blocked == [] and errors == []
    assert counts == counts_in_db(sample_conn, code)


def test_overview_draws_every_section(rendered: Path) -> None:
    counts, blocked, errors = drawn((rendered / "overview.html").as_uri())
    assert blocked == [] and errors == [] and counts == {"sections": 38}


def test_pngs_are_pictures_not_blank(rendered: Path) -> None:
    for path in [rendered / "overview.png"] + [
        rendered / "sections" / f"{c}.png" for c in SECTIONS
    ]:
        image = Image.open(path).convert("L")
        assert image.size == (1400, 1000)
        assert ImageStat.Stat(image).stddev[0] > 10  # not one flat colour
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def pdf_pages_text(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.mark.parametrize("code", SECTIONS)
def test_pdfs_have_the_right_pages_chinese_fonts_and_masking(
    rendered: Path, sample_conn, code: str
) -> None:  # type: ignore[no-untyped-def]
    """Households are masked on paper and key status never shows; representatives give their
    published contact (that is what the card is for)."""
    counted = counts_in_db(sample_conn, code)
    reps, houses = counted["representatives"], counted["households"]
    # the sheet: the map, then the household list at 300 lines a page (a heading a
    # representative, and a blank line where a heading would end a column)
    sheet = range(1 + math.ceil(houses / 300), 2 + math.ceil((houses + 2 * reps + 2) / 300))
    expected = {
        "print": (sheet, "A3"),
        "cards": (range(math.ceil(reps / 4), math.ceil(reps / 4) + 1), "A4"),
        "orgcharts": (range(1, 2), "A3"),
    }
    with sample_conn.cursor() as cur:
        cur.execute(
            """SELECT h.head_name, h.phone FROM household h
            JOIN grid_section s ON s.id = h.section_id WHERE s.code = %s""",
            (code,),
        )
        people = cur.fetchall()
        cur.execute(
            """SELECT r.name, r.phone FROM representative r JOIN resident_group g
            ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
            WHERE s.code = %s AND r.active ORDER BY r.code""",
            (code,),
        )
        representatives = cur.fetchall()
        cur.execute(  # the organisation's people print too: chiefs' phones in full (to be
            # reached), the others masked
            "SELECT p.name, p.phone, r.role FROM person p JOIN person_role r"
            " ON r.person_id = p.id WHERE r.end_date IS NULL"
        )
        staff = cur.fetchall()
    rep_phones = {phone for _, phone in representatives} | {
        phone for _, phone, role in staff if role in ("片区网格长", "总网格长")
    }
    representatives += [(name, phone) for name, phone, _ in staff]
    for folder, (pages, paper) in expected.items():
        path = rendered / folder / f"{code}.pdf"
        info = pdf_info(path)
        assert int(info["Pages"]) in pages, folder
        assert paper in info["Page size"], folder
        texts = pdf_pages_text(path)
        assert len(texts) == int(info["Pages"])
        for number, text in enumerate(texts, start=1):
            phones = set(PHONE.findall(text))
            assert phones <= rep_phones, f"{folder} page {number}: a household's phone"
            assert not any(word in text for word in KEY_WORDS), f"{folder} page {number}"
            flat = text.replace(" ", "")
            for rep_name, _ in representatives:  # a head's name may be part of one of theirs
                flat = flat.replace(rep_name, "")
            leaked = [name for name, _ in people if len(name) >= 2 and name in flat]
            assert not leaked, f"{folder} page {number}: unmasked names {leaked[:3]}"
    first_card = pdf_pages_text(rendered / "cards" / f"{code}.pdf")[0].replace(" ", "")
    assert "村(居)民代表联系卡" in first_card
    name, phone = representatives[0]
    assert name in first_card and phone in first_card


@pytest.mark.parametrize("folder", ["print", "cards", "orgcharts"])
def test_chinese_text_is_drawn_with_a_chinese_font(rendered: Path, folder: str) -> None:
    """Without a CJK font every label prints as empty boxes: ask Chromium which platform font
    it really used for the page's Chinese heading."""
    url = (rendered / folder / f"{SECTIONS[0]}.html").as_uri()
    with printer() as chrome, chrome.page(url) as (page, _):
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1, h2"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    used = {f["familyName"]: f["glyphCount"] for f in fonts}
    assert any("CJK" in name or "WenQuanYi" in name for name in used), used


def test_cards_carry_one_qr_code_per_representative(rendered: Path, sample_conn) -> None:  # type: ignore[no-untyped-def]
    html = (rendered / "cards" / f"{SECTIONS[0]}.html").read_text(encoding="utf-8")
    reps = counts_in_db(sample_conn, SECTIONS[0])["representatives"]
    assert html.count("<svg") == reps
