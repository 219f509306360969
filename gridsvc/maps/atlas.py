"""PDF pages moved with pikepdf (qpdf): a printed book of many sections cut into each
section's PDF, and the street's atlas for the office's printer (the cover, the overview, then
per section its sheet, organisation chart and contact cards, with bookmarks for each)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf


@dataclass(frozen=True)
class Pages:
    """`count` pages of `source` from page `first` (0-based); count None: all of them."""

    source: Path
    first: int = 0
    count: int | None = None


@dataclass(frozen=True)
class Chapter:
    """A bookmark and the pages under it (each with its own bookmark when there are several)."""

    title: str
    parts: list[tuple[str, Pages]]


# compressed streams (fonts, pages) are copied as they are: qpdf's default inflates and
# deflates each again, most of the time of cutting a book into a street's sections
AS_THEY_ARE = {"stream_decode_level": pikepdf.StreamDecodeLevel.none}


class BookMismatch(RuntimeError):
    """A book printed more or fewer pages than its parts add up to (a page overflowed)."""


def split(book: Path, pieces: list[tuple[Path, int]]) -> list[Pages]:
    """Write each piece's pages of `book` to its own file, in order; returns where each
    piece lies in the book."""
    found = []
    with pikepdf.open(book) as pdf:
        total = sum(count for _, count in pieces)
        if len(pdf.pages) != total:
            raise BookMismatch(f"{book.name}: printed {len(pdf.pages)} pages, expected {total}")
        first = 0
        for path, count in pieces:
            with pikepdf.new() as one:
                one.pages.extend(pdf.pages[first : first + count])
                one.save(path, **AS_THEY_ARE)
            found.append(Pages(book, first, count))
            first += count
    return found


def bind(out: Path, chapters: list[Chapter]) -> int:
    """Write the atlas to `out`; returns its page count. Pages are copied from each source
    once opened, so a book's fonts are shared by all its sections."""
    sources: dict[Path, pikepdf.Pdf] = {}
    try:
        with pikepdf.new() as book:
            with book.open_outline() as outline:
                for chapter in chapters:
                    mark = pikepdf.OutlineItem(chapter.title, len(book.pages))
                    for title, pages in chapter.parts:
                        start = len(book.pages)
                        if pages.source not in sources:
                            sources[pages.source] = pikepdf.open(pages.source)
                        every = sources[pages.source].pages
                        end = len(every) if pages.count is None else pages.first + pages.count
                        book.pages.extend(every[pages.first : end])
                        if len(chapter.parts) > 1:
                            mark.children.append(pikepdf.OutlineItem(title, start))
                    outline.root.append(mark)
            book.Root.PageMode = pikepdf.Name.UseOutlines
            book.save(out, **AS_THEY_ARE)
            return len(book.pages)
    finally:
        for pdf in sources.values():
            pdf.close()
