"""Print material read back as a person would: the PDFs' text (numbers, names, phones), no
page a picture, fills that differ in grayscale, QR codes decoded, the atlas's bookmarks."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import psycopg2
import pytest
from PIL import Image, ImageChops, ImageStat

from gridsvc.assign import Params
from gridsvc.errors import ConfigError
from gridsvc.maps.chromium import printer
from gridsvc.services.maps import render_files
from gridsvc.services.offices import load_offices, set_office_phone
from tests.conftest import SAMPLE
from tests.helpers import PLANNER, assign

SECTIONS = ["GH01-S01", "GH03-S02"]
PUBLIC_URL = "https://grid.example.cn"
SILENT = "R0002"  # declines to publish a phone in these tests
A3_MAP_WIDTH_PT = 820  # the map's part of the sheet: left of the contact list


@pytest.fixture(scope="module")
def printed(sample_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print")
    conn = psycopg2.connect(sample_url)
    conn.autocommit = True
    load_offices(conn, PLANNER, SAMPLE)
    assign(conn, Params(), fresh=True)
    with conn.cursor() as cur:
        cur.execute("UPDATE representative SET publish_phone = false WHERE code = %s", (SILENT,))
    try:
        done = render_files(
            conn,
            PLANNER,
            out,
            sections=SECTIONS,
            formats=("html", "pdf"),
            public_url=PUBLIC_URL,
            atlas=True,
        )
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE representative SET publish_phone = true WHERE code = %s", (SILENT,))
        conn.close()
    assert not done.problems, done.problems
    return out


def text(path: Path, *crop: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", *crop, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def reps_of(conn, code: str) -> list[tuple[str, str, str, str, bool]]:  # type: ignore[no-untyped-def]
    """(code, name, phone, group, publish_phone) in the order the sheet numbers them."""
    with conn.cursor() as cur:
        cur.execute(
            """SELECT r.code, r.name, r.phone, g.code, r.code <> %s FROM representative r
            JOIN resident_group g ON g.id = r.group_id JOIN grid_section s
            ON s.id = g.section_id WHERE s.code = %s AND r.active ORDER BY g.code, r.code""",
            (SILENT, code),
        )
        return cur.fetchall()


@pytest.mark.parametrize("code", SECTIONS)
def test_every_representative_is_numbered_on_the_map_and_in_the_list(
    printed: Path, sample_conn, code: str
) -> None:  # type: ignore[no-untyped-def]
    sheet = printed / "print" / f"{code}.pdf"
    listed = text(sheet).replace("\u3000", " ")
    on_map = text(sheet, "-x", "0", "-y", "0", "-W", str(A3_MAP_WIDTH_PT), "-H", "842")
    map_words = set(on_map.split())
    for number, (_, name, _, _, _) in enumerate(reps_of(sample_conn, code), start=1):
        assert re.search(rf"(?<!\d){number}\s+{name}", listed), f"list: {number} {name}"
        assert str(number) in map_words, f"map: representative {number} is not drawn"


@pytest.mark.parametrize("code", SECTIONS)
def test_cards_give_full_name_and_phone_or_the_office(
    printed: Path, sample_conn, code: str
) -> None:  # type: ignore[no-untyped-def]
    cards = text(printed / "cards" / f"{code}.pdf").replace(" ", "")
    with sample_conn.cursor() as cur:
        cur.execute(
            "SELECT c.office_phone FROM community c JOIN grid_section s"
            " ON s.community_id = c.id WHERE s.code = %s",
            (code,),
        )
        office = cur.fetchone()[0]
    assert office and office in cards
    assert "nan" not in cards  # a withheld phone is no phone, not pandas' NaN
    for rep, name, phone, _, published in reps_of(sample_conn, code):
        assert name in cards, rep
        assert (phone in cards) == published, f"{rep}: published {published}"
    assert "H0" not in cards  # households by door, never by internal code
    assert "栋" in cards or "号" in cards


def test_no_page_is_a_picture(printed: Path) -> None:
    pdfs = sorted(printed.rglob("*.pdf"))
    assert len(pdfs) == 3 * len(SECTIONS) + 2  # sheets, org charts, cards, overview, atlas
    for pdf in pdfs:
        listing = subprocess.run(
            ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing == [], f"{pdf.name} holds raster images: {listing[:3]}"


def test_group_fills_differ_in_grayscale(printed: Path) -> None:
    """Each group's hatching, as the legend shows it (drawn by the same code as the map),
    photographed in grayscale: no two alike. The map's areas use one hatching each."""
    page = (printed / "print" / f"{SECTIONS[0]}.html").read_text(encoding="utf-8")
    kinds = re.findall(r'data-pattern="hatch-\d+" data-kind="(\w+)"', page)
    assert len(kinds) >= 2 and len(set(kinds)) == len(kinds)
    with (
        printer() as chrome,
        chrome.page((printed / "print" / f"{SECTIONS[0]}.html").as_uri()) as (
            tab,
            _,
        ),
    ):
        tab.add_style_tag(content="svg.swatch { filter: grayscale(1); }")
        shots = [
            Image.open(io.BytesIO(el.screenshot())).convert("L")
            for el in tab.query_selector_all(".legend svg.swatch")
        ]
    assert len(shots) == len(kinds)
    for i, a in enumerate(shots):
        for b in shots[i + 1 :]:
            b = b.resize(a.size)
            assert ImageStat.Stat(ImageChops.difference(a, b)).mean[0] > 3


def test_qr_codes_lead_to_the_public_address(printed: Path, sample_conn) -> None:  # type: ignore[no-untyped-def]
    cards = printed / "cards" / f"{SECTIONS[0]}.pdf"
    png = subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-gray", "-png", str(cards)],
        capture_output=True,
        check=True,
    ).stdout
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    found, urls, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(image)
    expected = {f"{PUBLIC_URL}/r/{r[0]}" for r in reps_of(sample_conn, SECTIONS[0])[:4]}
    assert found and set(urls) == expected


def test_print_refuses_a_loopback_public_url_unless_draft(sample_conn, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample_conn.autocommit = True
    for url in ("http://127.0.0.1:8000", "http://localhost/", "", None):
        with pytest.raises(ConfigError, match=r"GRIDSVC_PUBLIC_URL.*--draft"):
            render_files(
                sample_conn, PLANNER, tmp_path, sections=SECTIONS[:1], formats=("pdf",),
                public_url=url, with_overview=False,
            )  # fmt: skip
    done = render_files(
        sample_conn, PLANNER, tmp_path, sections=SECTIONS[:1], formats=("html",),
        public_url="http://127.0.0.1:8000", with_overview=False,
    )  # fmt: skip
    assert done.draft and "样稿" in (tmp_path / "cards" / f"{SECTIONS[0]}.html").read_text("utf-8")


def test_the_atlas_has_every_part_with_bookmarks(printed: Path) -> None:
    def pages(path: Path) -> int:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)

    parts = sum(
        pages(printed / folder / f"{code}.pdf")
        for code in SECTIONS
        for folder in ("print", "orgcharts", "cards")
    )
    with pikepdf.open(printed / "atlas.pdf") as atlas:
        assert len(atlas.pages) == 2 + parts  # the cover and the overview: a page each
        with atlas.open_outline() as outline:
            titles = [item.title for item in outline.root]
            sections = [[c.title for c in item.children] for item in outline.root[2:]]
    assert titles[:2] == ["封面 cover", "网格片区总览图"]
    assert [t.split()[0] for t in titles[2:]] == SECTIONS
    assert sections == [["划片网格图", "五级组织架构图", "居民代表联系卡"]] * len(SECTIONS)


def test_office_phones_are_checked(sample_conn) -> None:  # type: ignore[no-untyped-def]
    from gridsvc.errors import InputError, NotFound

    sample_conn.autocommit = True
    with pytest.raises(InputError, match="office_phone"):
        set_office_phone(sample_conn, PLANNER, "GH01", "call me<script>")
    with pytest.raises(NotFound, match="NOPE"):
        set_office_phone(sample_conn, PLANNER, "NOPE", "0731-28221017")


def test_text_from_the_store_is_escaped_on_every_print_page(small_street, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small_street.autocommit = True
    assign(small_street, Params(), fresh=True)
    hostile = "<script>alert(1)</script>"
    with small_street.cursor() as cur:
        cur.execute(
            "UPDATE resident_group SET name = %s WHERE id = (SELECT min(id) FROM resident_group)"
            " RETURNING (SELECT code FROM grid_section s WHERE s.id = section_id)",
            (hostile,),
        )
        code = cur.fetchone()[0]
        cur.execute(
            "UPDATE representative SET name = %s WHERE id = (SELECT min(id) FROM representative)",
            (hostile,),
        )
    render_files(small_street, PLANNER, tmp_path, sections=[code], formats=("html",))
    for folder in ("print", "cards", "orgcharts"):
        page = (tmp_path / folder / f"{code}.html").read_text(encoding="utf-8")
        assert hostile not in page and "&lt;script&gt;" in page, folder
