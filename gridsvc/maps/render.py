"""Render the street's maps and print material into a folder (the `gridsvc render` command)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from gridsvc.errors import InputError
from gridsvc.maps import sheets
from gridsvc.maps.chromium import PageLog, printer
from gridsvc.maps.data import SectionData
from gridsvc.maps.overview import build_overview_map
from gridsvc.maps.section import build_section_map

FORMATS = ("html", "png", "pdf")
Progress = Callable[[str], None]
Loader = Callable[[str], SectionData]


@dataclass
class Rendered:
    """What was written, how long each stage took, and anything a page tried to fetch."""

    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def note(self, path: Path, log: PageLog | None = None) -> None:
        self.files.append(path)
        if log and (log.blocked or log.console_errors):
            self.problems.append(f"{path}: blocked {log.blocked}, errors {log.console_errors}")


def render(
    out: Path,
    codes: list[str],
    load: Loader,
    *,
    overview: gpd.GeoDataFrame | None = None,
    formats: tuple[str, ...] = FORMATS,
    public_url: str = "http://127.0.0.1:8000",
    tiles: str | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """The overview map (when given) and the maps of `codes` (HTML, from `load(code)`), their
    PNGs, and per section the A3 sheet, the A4 contact cards and the organisation chart (PDF,
    with their HTML). What is drawn is what `load` gives: the caller applies the policy."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise InputError(f"format {','.join(sorted(unknown))}: choose from html, png, pdf")
    say = progress or (lambda _: None)
    result = Rendered()
    started = time.perf_counter()
    for folder in ("sections", "print", "cards", "orgcharts"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    if overview is not None:
        path = out / "overview.html"
        build_overview_map(overview, tiles=tiles).save(str(path))
        result.note(path)
    data = {}
    for i, code in enumerate(codes, start=1):
        data[code] = load(code)
        path = out / "sections" / f"{code}.html"
        build_section_map(data[code], tiles=tiles).save(str(path))
        result.note(path)
        say(f"[{i}/{len(codes)}] {code} map")
    result.seconds["html"] = round(time.perf_counter() - started, 2)
    if "png" in formats or "pdf" in formats:
        _print(out, codes, data, formats, public_url, result, say, overview is not None)
    result.seconds["total"] = round(time.perf_counter() - started, 2)
    if "html" not in formats:  # HTML is the source of the others; keep only if asked
        for path in [p for p in result.files if p.suffix == ".html"]:
            path.unlink(missing_ok=True)
        result.files = [p for p in result.files if p.suffix != ".html"]
    return result


def _print(
    out: Path,
    codes: list[str],
    data: dict,
    formats: tuple[str, ...],
    public_url: str,
    result: Rendered,
    say: Progress,
    overview: bool,
) -> None:
    started = time.perf_counter()
    with printer() as chrome:
        if overview:
            png = out / "overview.png"
            result.note(png, chrome.png((out / "overview.html").resolve().as_uri(), png))
        for i, code in enumerate(codes, start=1):
            png = out / "sections" / f"{code}.png"
            result.note(
                png, chrome.png((out / "sections" / f"{code}.html").resolve().as_uri(), png)
            )
            if "pdf" in formats:
                pages = {
                    out / "print" / f"{code}.html": (
                        sheets.section_sheet(data[code], png.read_bytes()),
                        "A3",
                        True,
                    ),
                    out / "cards" / f"{code}.html": (
                        sheets.contact_cards(data[code], public_url),
                        "A4",
                        False,
                    ),
                    out / "orgcharts" / f"{code}.html": (sheets.org_chart(data[code]), "A3", True),
                }
                for html_path, (markup, paper, landscape) in pages.items():
                    html_path.write_text(markup, encoding="utf-8")
                    pdf = html_path.with_suffix(".pdf")
                    result.note(html_path)
                    result.note(
                        pdf,
                        chrome.pdf(
                            html_path.resolve().as_uri(), pdf, paper=paper, landscape=landscape
                        ),
                    )
            if "png" not in formats:
                png.unlink(missing_ok=True)
                result.files.remove(png)
            say(f"[{i}/{len(codes)}] {code} printed")
    result.seconds["print"] = round(time.perf_counter() - started, 2)
