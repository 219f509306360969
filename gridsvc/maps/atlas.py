"""One PDF for the office's printer: the cover, the overview, then per section its sheet,
organisation chart and contact cards, with bookmarks (an outline) for each. Bound with
pikepdf (qpdf): 1.6 s for the street's 154 files, where pypdf took 87 s."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pikepdf


@dataclass(frozen=True)
class Chapter:
    """A bookmark and the PDFs under it (each with its own bookmark when there are several)."""

    title: str
    parts: list[tuple[str, Path]]


def bind(out: Path, chapters: list[Chapter]) -> int:
    """Write the atlas to `out`; returns its page count."""
    with ExitStack() as sources, pikepdf.new() as book:
        with book.open_outline() as outline:
            for chapter in chapters:
                mark = pikepdf.OutlineItem(chapter.title, len(book.pages))
                for title, path in chapter.parts:
                    start = len(book.pages)
                    book.pages.extend(sources.enter_context(pikepdf.open(path)).pages)
                    if len(chapter.parts) > 1:
                        mark.children.append(pikepdf.OutlineItem(title, start))
                outline.root.append(mark)
        book.Root.PageMode = pikepdf.Name.UseOutlines
        book.save(out)
        return len(book.pages)
