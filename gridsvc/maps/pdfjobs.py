"""Many pages printed by one headless Chromium at once: PDFs at their CSS page size and PNG
screenshots, each page offline (a non-local request is aborted and logged)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, Route, async_playwright

from gridsvc.maps.chromium import ARGS, LOCAL_PREFIXES, PageLog, chromium_path

PARALLEL_PAGES = 3  # two cores: a third page keeps them busy while one waits on a file


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


async def _print_all(
    jobs: list[Job], parallel: int, done: Callable[[Job, int], None]
) -> dict[Path, PageLog]:
    logs: dict[Path, PageLog] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=ARGS
        )
        gate = asyncio.Semaphore(parallel)
        finished = 0

        async def one(job: Job) -> None:
            nonlocal finished
            async with gate:
                log = PageLog()
                context = await browser.new_context(
                    viewport={"width": job.width, "height": job.height}, device_scale_factor=1
                )
                page = await context.new_page()

                async def guard(route: Route) -> None:
                    if route.request.url.startswith(LOCAL_PREFIXES):
                        await route.continue_()
                    else:
                        log.blocked.append(route.request.url)
                        await route.abort()

                await page.route("**/*", guard)
                page.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
                page.on(
                    "console",
                    lambda msg: (
                        log.console_errors.append(msg.text) if msg.type == "error" else None
                    ),
                )
                try:
                    await page.goto(job.source.resolve().as_uri(), wait_until="load")
                    await _settle(page)
                    if job.kind == "pdf":
                        await page.pdf(
                            path=str(job.target), prefer_css_page_size=True, print_background=True
                        )
                    else:
                        await page.screenshot(path=str(job.target))
                finally:
                    await context.close()
                logs[job.target] = log
                finished += 1
                done(job, finished)

        try:
            await asyncio.gather(*(one(job) for job in jobs))
        finally:
            await browser.close()
    return logs


def print_pages(
    jobs: list[Job],
    *,
    parallel: int = PARALLEL_PAGES,
    done: Callable[[Job, int], None] | None = None,
) -> dict[Path, PageLog]:
    """Print every job with one browser, `parallel` pages at a time; returns each page's log.
    Runs its own event loop: call it from a plain thread, not from async code."""
    if not jobs:
        return {}
    return asyncio.run(_print_all(jobs, parallel, done or (lambda job, n: None)))
