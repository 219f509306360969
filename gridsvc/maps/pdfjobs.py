"""Many pages printed by one headless Chromium: PDFs at their CSS page size and PNG
screenshots, each page offline (a non-local request is aborted and logged). A few tabs are
opened once and reused for every job: a fresh browser context cost more (0.2 s) than
printing a page, and a book of many sheets prints faster as one document than as files."""

from __future__ import annotations

import asyncio
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


async def _print_all(
    jobs: list[Job], parallel: int, done: Callable[[Job, int], None]
) -> dict[Path, PageLog]:
    logs: dict[Path, PageLog] = {}
    waiting: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        waiting.put_nowait(job)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=ARGS
        )

        async def worker() -> None:
            tab = await _Tab.open(browser)
            while not waiting.empty():
                job = waiting.get_nowait()
                logs[job.target] = await tab.run(job)
                done(job, len(logs))

        try:
            await asyncio.gather(*(worker() for _ in range(max(1, min(parallel, len(jobs))))))
        finally:
            await browser.close()
    return logs


def print_pages(
    jobs: list[Job],
    *,
    parallel: int = PARALLEL_PAGES,
    done: Callable[[Job, int], None] | None = None,
) -> dict[Path, PageLog]:
    """Print every job with one browser, `parallel` tabs at a time, the longest jobs first
    (so that no tab is left with a big book at the end); returns each page's log. Runs its
    own event loop: call it from a plain thread, not from async code."""
    if not jobs:
        return {}
    ordered = sorted(jobs, key=lambda job: -job.source.stat().st_size if job.kind == "pdf" else 0)
    return asyncio.run(_print_all(ordered, parallel, done or (lambda job, n: None)))
