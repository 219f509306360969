"""Household heads on the notice-board sheet's list (联户名单): masked for the board, in full
on staff's version, read back from the printed PDF; both reads audited as the real actor."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gridsvc.assign import Params
from gridsvc.services.maps import render_files
from tests.helpers import PLANNER, assign

PUBLIC_URL = "https://grid.example.cn"


def roll_text(pdf: Path) -> str:
    """The sheet's pages after the map (the household list), without spaces."""
    out = subprocess.run(
        ["pdftotext", "-f", "2", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.replace(" ", "")


@pytest.fixture
def section(small_street) -> tuple[str, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """A section of a freshly assigned street: its code, heads' names, representatives'."""
    small_street.autocommit = True
    assign(small_street, Params(), fresh=True)
    with small_street.cursor() as cur:
        cur.execute("SELECT code FROM grid_section ORDER BY code LIMIT 1")
        code = cur.fetchone()[0]
        cur.execute(
            "SELECT h.head_name FROM household h JOIN grid_section s ON s.id = h.section_id"
            " WHERE s.code = %s",
            (code,),
        )
        heads = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT name FROM representative")
        reps = [row[0] for row in cur.fetchall()]
    return code, heads, reps


def test_staff_sheet_lists_heads_in_full_and_the_board_masks_them(
    small_street, section, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    code, heads, reps = section
    for internal in (True, False):
        render_files(
            small_street, PLANNER, tmp_path / str(internal), sections=[code], formats=("pdf",),
            internal=internal, public_url=PUBLIC_URL, with_overview=False,
        )  # fmt: skip
    staff = roll_text(tmp_path / "True" / "print" / f"{code}.pdf")
    board = roll_text(tmp_path / "False" / "print" / f"{code}.pdf")
    assert "内部版" in staff and "内部版" not in board
    missing = [name for name in heads if name not in staff]
    assert not missing, f"staff's list lacks {missing[:5]}"
    for name in reps:  # a head's name may be part of a representative's
        board = board.replace(name, "")
    shown = [name for name in heads if len(name) >= 2 and name in board]
    assert not shown, f"the board's list shows full names {shown[:5]}"
    masked = [name for name in heads if f"{name[0]}*" not in board]
    assert not masked, f"the board's list lacks the surname + * of {masked[:5]}"
    with small_street.cursor() as cur:
        cur.execute(
            "SELECT actor, role, action, rows FROM audit_log WHERE subject = %s"
            " AND action LIKE 'maps.section%%' ORDER BY id",
            (code,),
        )
        audited = cur.fetchall()
    assert audited == [
        (PLANNER.name, "planner", "maps.section", len(heads)),
        (PLANNER.name, "planner", "maps.section for viewer", len(heads)),
    ]


def test_what_prerender_makes_is_what_the_server_finds(small_street, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`gridsvc render --cache` and a GET agree on where a file lies (run, inputs, format),
    make PDFs only unless PNGs are asked for, and an edit points the GET elsewhere."""
    from gridsvc.services.printing import PrintShop, order_for, prerender
    from gridsvc.settings import Settings

    small_street.autocommit = True
    assign(small_street, Params(), fresh=True)
    with small_street.cursor() as cur:
        cur.execute("SELECT code FROM grid_section ORDER BY code LIMIT 1")
        code = cur.fetchone()[0]
    settings = Settings(data_dir=tmp_path, public_url=PUBLIC_URL, database_url=small_street.dsn)
    prerender(small_street, PLANNER, settings, [code])
    shop = PrintShop(settings)
    for kind in ("pdf", "cards", "orgchart"):
        assert shop.path(order_for(small_street, code, kind), kind).exists(), kind
    assert shop.path(order_for(small_street, None, "overview-pdf"), "overview-pdf").exists()
    assert not shop.path(order_for(small_street, code, "png"), "png").exists()
    with small_street.cursor() as cur:
        cur.execute(
            "UPDATE household SET head_name = '欧阳修' WHERE id = (SELECT min(h.id)"
            " FROM household h JOIN grid_section s ON s.id = h.section_id WHERE s.code = %s)",
            (code,),
        )
    assert not shop.path(order_for(small_street, code, "cards"), "cards").exists()
