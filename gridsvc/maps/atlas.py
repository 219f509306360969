"""One PDF for the office's printer: the cover, the overview, then per section its sheet,
organisation chart and contact cards, with bookmarks (an outline) for each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Chapter:
    """A bookmark and the PDFs under it (each with its own bookmark)."""

    title: str
    parts: list[tuple[str, Path]]


def bind(out: Path, chapters: list[Chapter]) -> int:
    """Write the atlas to `out`; returns its page count."""
    writer = PdfWriter()
    for chapter in chapters:
        first = len(writer.pages)
        parent = None
        for title, path in chapter.parts:
            start = len(writer.pages)
            for page in PdfReader(path).pages:
                writer.add_page(page)
            if parent is None:
                parent = writer.add_outline_item(title=chapter.title, page_number=first)
            if len(chapter.parts) > 1:
                writer.add_outline_item(title=title, page_number=start, parent=parent)
    writer.page_mode = "/UseOutlines"
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
