"""Screenshots of the workbench pages at desktop and phone width, into maps/examples/.

    python scripts/workbench-screenshots.py http://127.0.0.1:8000 NAME  (password on stdin)

Logs in as NAME (a street planner), runs a section, makes two scenarios and compares them,
checks a register with a bad row (a dry run: nothing is imported), and photographs each page
in Debian's Chromium with every non-local request blocked."""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from gridsvc.maps.chromium import ARGS, LOCAL_PREFIXES, chromium_path

OUT = Path("maps/examples")
SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}


def bad_register(folder: Path) -> Path:
    """Six rows of the sample street's households, the third with a longitude in words."""
    with Path("geodata/guihua/households.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:6]
    rows[2]["lon"] = "东经一百一十三度"
    path = folder / "households-check.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def shoot(page: Page, name: str, size: str) -> None:
    path = OUT / f"workbench-{name}-{size}.png"
    page.screenshot(path=str(path), full_page=size == "phone")
    print(path)


def main(base: str, user: str, password: str) -> None:
    register = bad_register(Path(tempfile.mkdtemp()))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith(LOCAL_PREFIXES) else r.abort(),
            )
            page = context.new_page()
            page.goto(f"{base}/login")
            shoot(page, "login", size)
            page.fill("input[name=name]", user)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            shoot(page, "home", size)
            page.goto(f"{base}/workbench/sections/GH01-S02")
            page.evaluate(
                "() => { const w = window.workbench, h = w.data.households[3];"
                " w.households[h.code].fire('click'); }"
            )
            shoot(page, "section", size)
            page.click("form.run-form button")
            page.wait_for_selector("#run-result", timeout=300_000)
            shoot(page, "run", size)
            for name, load in ((f"plan-a-{size}", ""), (f"plan-b-{size}", "12")):
                page.goto(f"{base}/workbench/scenarios")
                page.fill("input[name=name]", name)
                page.fill("input[name=max_load]", load)
                page.select_option("select[name=section]", "GH01-S02")
                page.click("form.run-form button")
                page.wait_for_selector("p.notice", timeout=300_000)
            shoot(page, "scenarios", size)
            page.goto(f"{base}/workbench/scenarios/compare?a=plan-a-{size}&b=plan-b-{size}")
            shoot(page, "compare", size)
            page.goto(f"{base}/workbench/import")
            page.set_input_files("input[type=file]", str(register))
            page.click("#check")
            page.wait_for_selector("#report", timeout=300_000)
            shoot(page, "import", size)
            page.goto(f"{base}/workbench/exports")
            shoot(page, "exports", size)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.stdin.readline().rstrip("\n"))
