"""Print material kept per run, audience and printed inputs, made in the background: a GET
never starts a browser; it gets the file, or is told it is being made (one worker thread
renders). Files are kept under a fingerprint of what they show, so an edit within a run (an
office's phone, a representative's published phone, a household's head) makes the next
request render them again; PNGs are made only when a PNG is asked for."""

from __future__ import annotations

import queue
import shutil
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from gridsvc.access import Actor, Role
from gridsvc.db.connection import Connection, connect, database_url
from gridsvc.services import maps
from gridsvc.settings import Settings

AUDIENCE = "notice-board"  # print material shows what a notice board may (the viewer column)
OVERVIEW = "overview"  # the folder of the overview's files, beside the sections'
KINDS = {  # kind -> (the formats that make it, where it lies in its stamp's folder)
    "png": ("png", "sections/{code}.png"),
    "pdf": ("pdf", "print/{code}.pdf"),
    "cards": ("pdf", "cards/{code}.pdf"),
    "orgchart": ("pdf", "orgcharts/{code}.pdf"),
    "overview": ("png", "overview.png"),
    "overview-pdf": ("pdf", "print/overview.pdf"),
}


def cache_folder(settings: Settings, run: str) -> Path:
    """Where the server keeps print material of `run` (a run key) for a notice board."""
    return (settings.data_dir / "maps-cache" / run / AUDIENCE).resolve()


@dataclass(frozen=True)
class Order:
    """Material of one section (or, with code None, the overview) of one run, as its inputs
    stood (`stamp`), in one format ("pdf": sheet, cards and org chart; "png": the map)."""

    run: str  # gridsvc.services.maps.run_key
    code: str | None
    stamp: str = ""  # gridsvc.services.maps.print_stamp
    format: str = "pdf"


def order_for(conn: Connection, code: str | None, kind: str) -> Order:
    """What a request for `kind` of section `code` (None: the overview) needs now."""
    return Order(maps.run_key(conn), code, maps.print_stamp(conn, code), KINDS[kind][0])


class PrintShop:
    """One thread, one job at a time; each job renders into a scratch folder and moves the
    finished files into the cache, so a reader never sees half a file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: queue.Queue[tuple[Order, Actor]] = queue.Queue()
        self._lock = threading.Lock()
        self._pending: set[Order] = set()
        self.failed: dict[Order, str] = {}
        self._worker: threading.Thread | None = None
        self.progress: Callable[[str], None] | None = None

    def path(self, order: Order, kind: str) -> Path:
        owner = order.code or OVERVIEW
        folder = cache_folder(self.settings, order.run) / owner / order.stamp
        return folder / KINDS[kind][1].format(code=order.code)

    def order(self, order: Order, actor: Actor) -> str:
        """Queue `order` (once); returns what a caller should be told."""
        with self._lock:
            if order in self.failed:
                return f"rendering failed: {self.failed[order]}"
            if order not in self._pending:
                self._pending.add(order)
                self._jobs.put((order, actor))
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(
                        target=self._work, name="gridsvc-print", daemon=True
                    )
                    self._worker.start()
            ahead = len(self._pending) - 1
        what = f"section {order.code}" if order.code else "the overview"
        return f"{what} of {order.run} is being rendered ({ahead} ahead); retry shortly"

    def retry(self, order: Order) -> None:
        with self._lock:
            self.failed.pop(order, None)

    def _work(self) -> None:
        while True:
            try:
                order, actor = self._jobs.get(timeout=30)
            except queue.Empty:
                return  # idle: a new order starts a new thread
            try:
                self.make(order, actor)
            except Exception as exc:  # kept and shown to callers: the thread must go on
                traceback.print_exc()
                with self._lock:
                    self.failed[order] = str(exc) or type(exc).__name__
            finally:
                with self._lock:
                    self._pending.discard(order)

    def make(self, order: Order, actor: Actor) -> None:
        """Render `order` now (in the calling thread), as `actor` (staff) for a notice board."""
        codes = [order.code] if order.code else []
        self.make_many(order.run, {order.code or OVERVIEW: order.stamp}, codes, actor, order.format)

    def make_many(
        self, run: str, stamps: dict[str, str], codes: list[str], actor: Actor, fmt: str = "pdf"
    ) -> None:
        """Render sections `codes` (and the overview when `stamps` names it) of `run` in
        format `fmt` with one browser; each one's files are kept under its stamp."""
        target = cache_folder(self.settings, run)
        scratch = target / f".scratch-{'-'.join(codes[:1]) or OVERVIEW}-{len(codes)}-{fmt}"
        shutil.rmtree(scratch, ignore_errors=True)
        conn: Connection = connect(database_url(self.settings), self.settings)
        conn.autocommit = True
        try:
            done = maps.render_files(
                conn,
                # the overview holds no personal data: anyone may order it, staff renders it
                actor if codes else replace(actor, role=Role.staff, via="print worker"),
                scratch,
                sections=codes,
                formats=(fmt,),
                public_url=self.settings.public_url,
                # a server on a loopback address still serves proofs, marked 样稿
                draft=not maps.reachable_url(self.settings.public_url),
                tiles=self.settings.tiles_url,
                with_overview=OVERVIEW in stamps,
                atlas=False,
                progress=self.progress,
            )
        finally:
            conn.close()
        for path in done.files:
            relative = path.relative_to(scratch)
            owner = OVERVIEW if path.stem == OVERVIEW else path.stem
            final = target / owner / stamps[owner] / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            path.replace(final)
        for owner, stamp in stamps.items():  # what older inputs made is of no more use
            for old in (target / owner).glob("*"):
                if old.name != stamp:
                    shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def prerender(
    conn: Connection,
    actor: Actor,
    settings: Settings,
    sections: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    formats: tuple[str, ...] = ("pdf",),
) -> Path:
    """Make now, with one browser, what the server serves for the run in force (the
    overview and `sections`, default all in the actor's scope) in `formats` (PDF unless
    told more); returns the folder."""
    maps.require_print(conn, actor, sections)
    shop = PrintShop(settings)
    shop.progress = progress
    run = maps.run_key(conn)
    codes = sections if sections is not None else maps.section_codes(conn)
    stamps = {code: maps.print_stamp(conn, code) for code in codes}
    stamps[OVERVIEW] = maps.print_stamp(conn, None)
    for fmt in [f for f in ("pdf", "png") if f in formats]:
        shop.make_many(run, stamps, codes, actor, fmt)
    return cache_folder(settings, run)
