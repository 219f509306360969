"""Print material kept per run and audience, made in the background: a GET never starts a
browser; it gets the file, or is told it is being made (one worker thread renders)."""

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
KINDS = {
    "png": "sections/{code}.png",
    "pdf": "print/{code}.pdf",
    "cards": "cards/{code}.pdf",
    "orgchart": "orgcharts/{code}.pdf",
    "overview": "overview.png",
    "overview-pdf": "print/overview.pdf",
}


def cache_folder(settings: Settings, run: str) -> Path:
    """Where the server keeps print material of `run` (a run key) for a notice board."""
    return (settings.data_dir / "maps-cache" / run / AUDIENCE).resolve()


@dataclass(frozen=True)
class Order:
    """Material of one section (or, with code None, the overview) of one run."""

    run: str  # gridsvc.services.maps.run_key
    code: str | None


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
        return cache_folder(self.settings, order.run) / KINDS[kind].format(code=order.code)

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
        self.make_many(order.run, [order.code] if order.code else [], order.code is None, actor)

    def make_many(self, run: str, codes: list[str], overview: bool, actor: Actor) -> None:
        """Render sections `codes` (and the overview) of `run` with one browser."""
        target = cache_folder(self.settings, run)
        scratch = target.parent / f".scratch-{'-'.join(codes[:1]) or 'overview'}-{len(codes)}"
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
                formats=("html", "png", "pdf"),
                public_url=self.settings.public_url,
                # a server on a loopback address still serves proofs, marked 样稿
                draft=not maps.reachable_url(self.settings.public_url),
                tiles=self.settings.tiles_url,
                with_overview=overview,
                atlas=False,
                progress=self.progress,
            )
        finally:
            conn.close()
        for path in done.files:
            final = target / path.relative_to(scratch)
            final.parent.mkdir(parents=True, exist_ok=True)
            path.replace(final)
        shutil.rmtree(scratch, ignore_errors=True)


def prerender(
    conn: Connection,
    actor: Actor,
    settings: Settings,
    sections: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Make now, with one browser, everything the server serves for the run in force (the
    overview and `sections`, default all in the actor's scope); returns the folder."""
    maps.require_print(conn, actor, sections)
    shop = PrintShop(settings)
    shop.progress = progress
    run = maps.run_key(conn)
    codes = sections if sections is not None else maps.section_codes(conn)
    shop.make_many(run, codes, True, actor)
    return cache_folder(settings, run)
