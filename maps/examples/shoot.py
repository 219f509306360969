"""The screenshots in this folder: the A3 sheet and the contact cards at print size (96 dpi),
in colour and in grayscale, the sheet's household list (联户名单), and a section map at a
phone's width, from a `gridsvc render` folder.
Run: .venv/bin/python maps/examples/shoot.py RENDERED_DIR SECTION"""

from __future__ import annotations

import sys
from pathlib import Path

from gridsvc.maps.chromium import printer

HERE = Path(__file__).resolve().parent
A3_LANDSCAPE = (1587, 1123)  # 420 × 297 mm at 96 px per inch
A4_PORTRAIT = (794, 1123)
PHONE = (390, 844)


def main(rendered: Path, code: str) -> None:
    shots = [
        (rendered / "print" / f"{code}.html", f"sheet-{code}", A3_LANDSCAPE),
        (rendered / "cards" / f"{code}.html", f"cards-{code}", A4_PORTRAIT),
    ]
    with printer() as chrome:
        for page, name, (width, height) in shots:
            for gray in (False, True):
                with chrome.page(page.resolve().as_uri(), width=width, height=height) as (tab, _):
                    tab.emulate_media(media="print")
                    if gray:
                        tab.add_style_tag(content="html { filter: grayscale(1); }")
                    out = HERE / f"{name}{'-gray' if gray else ''}.png"
                    # the first printed page: the sheet's map (its list follows), 4 cards
                    tab.locator(".sheet, .page").first.screenshot(path=str(out))
                    print(f"wrote {out}")
        sheet = (rendered / "print" / f"{code}.html").resolve().as_uri()
        with chrome.page(sheet, width=A3_LANDSCAPE[0], height=A3_LANDSCAPE[1]) as (tab, _):
            tab.emulate_media(media="print")
            out = HERE / f"sheet-{code}-list.png"
            tab.locator(".roll").first.screenshot(path=str(out))
            print(f"wrote {out}")
        phone = rendered / "sections" / f"{code}.html"
        out = HERE / f"section-{code}-phone.png"
        chrome.png(phone.resolve().as_uri(), out, width=PHONE[0], height=PHONE[1])
        print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
