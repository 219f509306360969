"""PNG and PDF from headless Chromium (Debian's /usr/bin/chromium, never a downloaded one),
driven by Playwright. Pages load with every non-local request blocked."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, sync_playwright

from gridsvc.errors import ConfigError

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]
LOCAL_PREFIXES = ("file://", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ConfigError("Chromium is not installed: apt-get install chromium (make setup does it)")


@dataclass
class PageLog:
    """What a page tried to fetch from outside, and what it complained about."""

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


class Printer:
    """One browser for many pages: screenshots and PDFs."""

    def __init__(self, browser: Browser):
        self.browser = browser

    @contextmanager
    def page(
        self, url: str, *, width: int = 1400, height: int = 1000
    ) -> Iterator[tuple[Page, PageLog]]:
        """Open `url` offline: any request that is not local is aborted and logged."""
        log = PageLog()
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=1
        )
        page = context.new_page()

        def guard(route: Route) -> None:
            if route.request.url.startswith(LOCAL_PREFIXES):
                route.continue_()
            else:
                log.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.on(
            "console",
            lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
        page.goto(url, wait_until="load")
        try:
            yield page, log
        finally:
            context.close()

    def png(self, url: str, out: Path, *, width: int = 1400, height: int = 1000) -> PageLog:
        with self.page(url, width=width, height=height) as (page, log):
            _settle(page)
            page.screenshot(path=str(out))
        return log

    def pdf(self, url: str, out: Path, *, paper: str = "A3", landscape: bool = True) -> PageLog:
        with self.page(url) as (page, log):
            _settle(page)
            page.pdf(
                path=str(out),
                format=paper,
                landscape=landscape,
                print_background=True,
                margin={"top": "8mm", "bottom": "8mm", "left": "8mm", "right": "8mm"},
            )
        return log


def _settle(page: Page) -> None:
    """Wait until a map has drawn: its layers registered, then two animation frames (the
    canvas paints on the next frame). Pages without a map are ready at `load`."""
    if page.evaluate("document.querySelector('.folium-map') !== null"):
        page.wait_for_function("window.gridsvcLayers !== undefined", timeout=30_000)
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@contextmanager
def printer() -> Iterator[Printer]:
    """Start headless Chromium once (Playwright gives it a fresh, temporary profile)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        try:
            yield Printer(browser)
        finally:
            browser.close()
