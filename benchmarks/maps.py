"""Time and size of rendering the sample street: all 38 section maps and the overview as HTML,
then with PNG and PDF (A3 sheet, A4 contact cards, org chart) from headless Chromium.
Run: .venv/bin/python benchmarks/maps.py [--out DIR]"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from actor import assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.assign import Params
from gridsvc.maps.render import render

ROOT = Path(__file__).resolve().parents[1]


def sizes(files: list[Path], suffix: str, folder: str | None = None) -> tuple[int, float, float]:
    chosen = [
        p for p in files if p.suffix == suffix and (folder is None or p.parent.name == folder)
    ]
    mb = [p.stat().st_size / 1e6 for p in chosen]
    return len(chosen), max(mb, default=0), sum(mb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()
    with bench_store("gridsvc_bench_maps") as (conn, _):
        assign(conn, Params())
        with tempfile.TemporaryDirectory() as tmp:
            base = args.out or Path(tmp)
            started = time.perf_counter()
            html = render(conn, base / "html-only", formats=("html",))
            html_s = time.perf_counter() - started
            count, biggest, total = sizes(html.files, ".html", "sections")
            print(
                f"HTML only: 38 section maps + overview in {html_s:.1f} s; section maps "
                f"{count} files, largest {biggest:.2f} MB, total {total:.1f} MB"
            )
            started = time.perf_counter()
            full = render(conn, base / "full")
            full_s = time.perf_counter() - started
            print(
                f"HTML + PNG + PDF: {len(full.files)} files in {full_s:.1f} s "
                f"(HTML {full.seconds['html']} s, Chromium {full.seconds['print']} s)"
            )
            for label, suffix, folder in (
                ("section PNG", ".png", "sections"),
                ("A3 sheets PDF", ".pdf", "print"),
                ("contact cards PDF", ".pdf", "cards"),
                ("org charts PDF", ".pdf", "orgcharts"),
            ):
                n, big, tot = sizes(full.files, suffix, folder)
                print(f"  {label:>18}: {n} files, largest {big:.2f} MB, total {tot:.1f} MB")
            if full.problems:
                print("problems:", *full.problems, sep="\n  ")


if __name__ == "__main__":
    main()
