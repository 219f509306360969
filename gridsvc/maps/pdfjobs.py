"""Many pages printed by one headless Chromium: PDFs at their CSS page size and PNG
screenshots, each page offline (a non-local request is aborted and logged). A few tabs are
opened once and reused for every job: a fresh browser context cost more (0.2 s) than
printing a page, and a book of many sheets prints faster as one document than as files."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, Page, Route, async_playwright

from gridsvc.maps.chromium import ARGS, LOCAL_PREFIXES, PageLog, chromium_path

PARALLEL_PAGES = 2  # two cores: one tab each; more only wait on each other


@dataclass(frozen=True)
class Job:
    """Print `source` (an HTML file) to `target`: a PDF at the page's @page size, or a PNG."""

    source: Path
    target: Path
    width: int = 1400  # a PNG's viewport
    height: int = 1000

    @property
    def kind(self) -> str:
        return self.target.suffix.lstrip(".")


async def _settle(page: Page) -> None:
    """A folium map has drawn once its layers registered and two frames have painted."""
    if await page.evaluate("document.querySelector('.folium-map') !== null"):
        await page.wait_for_function("window.gridsvcLayers !== undefined", timeout=30_000)
        await page.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
    await page.evaluate("document.fonts.ready.then(() => true)")


class _Tab:
    """One reused tab; what it logs goes to the job it is printing now."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.log = PageLog()
        self.size = (0, 0)
        page.on("pageerror", lambda exc: self.log.console_errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: self.log.console_errors.append(msg.text) if msg.type == "error" else None,
        )

    @classmethod
    async def open(cls, browser: Browser) -> _Tab:
        context = await browser.new_context(device_scale_factor=1)
        tab = cls(await context.new_page())

        async def guard(route: Route) -> None:
            if route.request.url.startswith(LOCAL_PREFIXES):
                await route.continue_()
            else:
                tab.log.blocked.append(route.request.url)
                await route.abort()

        await tab.page.route("**/*", guard)
        return tab

    async def run(self, job: Job) -> PageLog:
        self.log = PageLog()
        if self.size != (job.width, job.height):
            await self.page.set_viewport_size({"width": job.width, "height": job.height})
            self.size = (job.width, job.height)
        await self.page.goto(job.source.resolve().as_uri(), wait_until="load")
        await _settle(self.page)
        if job.kind == "pdf":
            await self.page.pdf(
                path=str(job.target), prefer_css_page_size=True, print_background=True
            )
        else:
            await self.page.screenshot(path=str(job.target))
        return self.log


class PrintQueue:
    """Jobs printed by one browser while the caller is still adding more (the maps' PNGs
    while later sections' HTML is written): the browser starts at the first job, in a
    thread of its own with its own event loop; `finish` waits for the last one."""

    def __init__(
        self, *, parallel: int = PARALLEL_PAGES, done: Callable[[Job, int], None] | None = None
    ) -> None:
        self.parallel = parallel
        self.done = done or (lambda job, n: None)
        self.logs: dict[Path, PageLog] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: asyncio.Queue[Job | None] | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None
        self._abandoned = False

    def add(self, job: Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gridsvc-chromium")
            self._thread.start()
            self._ready.wait()
        if self._failed is not None:
            raise self._failed
        assert self._loop is not None and self._waiting is not None
        self._loop.call_soon_threadsafe(self._waiting.put_nowait, job)

    def finish(self) -> dict[Path, PageLog]:
        """Wait until every job is printed; returns each page's log (raises what failed)."""
        if self._thread is not None:
            assert self._loop is not None and self._waiting is not None
            with contextlib.suppress(RuntimeError):  # the loop ended already (it failed)
                for _ in range(self.parallel):
                    self._loop.call_soon_threadsafe(self._waiting.put_nowait, None)
            self._thread.join()
            self._thread = None
        if self._failed is not None:
            raise self._failed
        return self.logs

    def __enter__(self) -> PrintQueue:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:  # the caller failed: print nothing more, close the browser
            self._abandoned = True
            with contextlib.suppress(Exception):  # the caller's error is the one to report
                self.finish()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the caller's thread
            self._failed = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._waiting = asyncio.Queue()
        self._ready.set()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=chromium_path(), headless=True, args=ARGS
            )
            try:
                await asyncio.gather(*(self._worker(browser) for _ in range(self.parallel)))
            finally:
                await browser.close()

    async def _worker(self, browser: Browser) -> None:
        assert self._waiting is not None
        tab = await _Tab.open(browser)
        while (job := await self._waiting.get()) is not None:
            if self._abandoned or self._failed is not None:
                continue
            try:
                self.logs[job.target] = await tab.run(job)
            except BaseException as exc:
                self._failed = exc
                continue
            self.done(job, len(self.logs))


def print_pages(
    jobs: list[Job],
    *,
    parallel: int = PARALLEL_PAGES,
    done: Callable[[Job, int], None] | None = None,
) -> dict[Path, PageLog]:
    """Print every job with one browser, `parallel` tabs at a time, the longest jobs first
    (so that no tab is left with a big book at the end); returns each page's log. Call it
    from a plain thread, not from async code."""
    ordered = sorted(jobs, key=lambda job: -job.source.stat().st_size if job.kind == "pdf" else 0)
    with PrintQueue(parallel=parallel, done=done) as printing:
        for job in ordered:
            printing.add(job)
        return printing.finish()
