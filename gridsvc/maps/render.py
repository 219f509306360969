"""Render the street's maps and print material into a folder: HTML first (folium maps and
the print pages, no browser), then, if asked, PNGs and PDFs from one Chromium printing
several pages at once, and the atlas bound from the PDFs."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd

from gridsvc.errors import InputError
from gridsvc.maps import atlas as binder
from gridsvc.maps import sheets
from gridsvc.maps.atlas import Pages
from gridsvc.maps.chromium import PageLog
from gridsvc.maps.data import SectionData
from gridsvc.maps.overview import build_overview_map
from gridsvc.maps.pdfjobs import Job, PrintQueue
from gridsvc.maps.section import build_section_map

FORMATS = ("html", "png", "pdf")
# the print documents of a section, in the atlas's order: folder -> bookmark
BOOKS = {"print": "划片网格图", "orgcharts": "五级组织架构图", "cards": "居民代表联系卡"}
Progress = Callable[[str], None]
Loader = Callable[[str], SectionData]


@dataclass
class Rendered:
    """What was written, how long each stage took, and anything a page tried to fetch."""

    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    draft: bool = False

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
    public_url: str | None = "http://127.0.0.1:8000",
    draft: bool = False,
    tiles: str | None = None,
    progress: Progress | None = None,
    street: str = "",
    run_id: int | None = None,
    internal: bool = False,
    atlas: bool = True,
) -> Rendered:
    """The overview (when given) and the sections `codes` (from `load(code)`): their maps and
    print pages as HTML; with "png" the maps' screenshots; with "pdf" the sheets, cards, org
    charts and overview as PDF, and (with the overview) the street's atlas. A PDF run refuses
    a public URL no phone reaches unless `draft`; HTML alone is a draft when it is one."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise InputError(f"format {','.join(sorted(unknown))}: choose from html, png, pdf")
    host = urlsplit(public_url or "").hostname
    draft = draft or ("pdf" not in formats and (not host or sheets.is_loopback(host)))
    base = sheets.check_public_url(public_url, draft=draft)
    say = progress or (lambda _: None)
    result = Rendered(draft=draft)
    started = time.perf_counter()
    for folder in ("sections", "print", "cards", "orgcharts"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    title = f"{street or '街道'} 网格片区总览 · {dt.date.today().isoformat()}"
    scratch = out / ".books"
    jobs: list[Job] = []
    books: dict[str, list[tuple[str, sheets.Part]]] = {folder: [] for folder in BOOKS}
    # Chromium prints the maps' PNGs while later sections' HTML is written: two cores busy
    printing = PrintQueue(done=lambda job, n: say(f"[{n}] {job.target.relative_to(out)}"))
    with printing:

        def add(source: Path, target: Path) -> None:
            jobs.append(Job(source, target))
            printing.add(jobs[-1])

        if overview is not None:
            page = out / "overview.html"
            _write(
                result,
                page,
                None,
                folium_map=build_overview_map(overview, title=title, tiles=tiles),
            )
            if "png" in formats:
                add(page, page.with_suffix(".png"))
            sheet = out / "print" / "overview.html"
            _write(result, sheet, sheets.overview_sheet(overview, street, run_id))
            if "pdf" in formats:
                add(sheet, sheet.with_suffix(".pdf"))
        for i, code in enumerate(codes, start=1):
            data = load(code)
            page = out / "sections" / f"{code}.html"
            _write(result, page, None, folium_map=build_section_map(data, tiles=tiles))
            if "png" in formats:
                add(page, page.with_suffix(".png"))
            parts = {
                "print": sheets.sheet_part(data, internal=internal),
                "orgcharts": sheets.orgchart_part(data),
                "cards": sheets.cards_part(data, base, draft=draft, internal=internal),
            }
            for folder, part in parts.items():
                _write(result, out / folder / f"{code}.html", sheets.page([part]))
                if "pdf" in formats:
                    books[folder].append((code, part))
            say(f"[{i}/{len(codes)}] {code}: map and print pages (HTML)")
        result.seconds["html"] = round(time.perf_counter() - started, 2)
        bind = atlas and "pdf" in formats and overview is not None and bool(codes)
        if "pdf" in formats and codes:  # a book per kind: Chromium lays out and prints once
            scratch.mkdir(exist_ok=True)
            for folder in ("cards", "print", "orgcharts"):  # the longest first
                source = scratch / f"{folder}.html"
                source.write_text(sheets.page([p for _, p in books[folder]]), encoding="utf-8")
                add(source, source.with_suffix(".pdf"))
        if bind and overview is not None:  # the cover is printed with the rest: one browser
            cover = scratch / "atlas-cover.html"
            cover.write_text(sheets.atlas_cover(street, overview, run_id), encoding="utf-8")
            add(cover, cover.with_suffix(".pdf"))
        begun = time.perf_counter()
        logs = printing.finish()
    for job in jobs:
        if job.source.parent == scratch:
            result.problems += _problems(job.target, logs.get(job.target))
        else:
            result.note(job.target, logs.get(job.target))
    if jobs:  # what was left to print when the HTML was written
        result.seconds["print"] = round(time.perf_counter() - begun, 2)
    if "pdf" in formats and codes:
        begun = time.perf_counter()
        placed = {}
        for folder, parts_of in books.items():
            pieces = [(out / folder / f"{code}.pdf", part.pages) for code, part in parts_of]
            placed[folder] = binder.split(scratch / f"{folder}.pdf", pieces)
            for path, _ in pieces:
                result.note(path)
        result.seconds["split"] = round(time.perf_counter() - begun, 2)
        if bind and overview is not None:
            begun = time.perf_counter()
            path = _bind_atlas(out, codes, overview, placed)
            result.note(path)
            result.seconds["atlas"] = round(time.perf_counter() - begun, 2)
            say(f"atlas: {path.relative_to(out)}")
    shutil.rmtree(scratch, ignore_errors=True)
    result.seconds["total"] = round(time.perf_counter() - started, 2)
    if "html" not in formats:  # HTML is the source of the others; kept only if asked
        for path in [p for p in result.files if p.suffix == ".html"]:
            path.unlink(missing_ok=True)
        result.files = [p for p in result.files if p.suffix != ".html"]
    return result


def _write(result: Rendered, path: Path, markup: str | None, *, folium_map=None) -> None:  # type: ignore[no-untyped-def]
    if folium_map is not None:
        folium_map.save(str(path))
    else:
        path.write_text(markup or "", encoding="utf-8")
    result.note(path)


def _problems(path: Path, log: PageLog | None) -> list[str]:
    if log and (log.blocked or log.console_errors):
        return [f"{path}: blocked {log.blocked}, errors {log.console_errors}"]
    return []


def _bind_atlas(
    out: Path, codes: list[str], overview: gpd.GeoDataFrame, placed: dict[str, list[Pages]]
) -> Path:
    names = dict(zip(overview["code"], overview["name"], strict=True))
    chapters = [
        binder.Chapter("封面 cover", [("封面", Pages(out / ".books" / "atlas-cover.pdf"))]),
        binder.Chapter("网格片区总览图", [("总览图", Pages(out / "print" / "overview.pdf"))]),
    ]
    for i, code in enumerate(codes):
        chapters.append(
            binder.Chapter(
                f"{code} {names.get(code, '')}",
                [(title, placed[folder][i]) for folder, title in BOOKS.items()],
            )
        )
    path = out / "atlas.pdf"
    binder.bind(path, chapters)
    return path
