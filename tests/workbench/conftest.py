"""A live gridsvc on a small street of its own, with a run in force and accounts: a planner of
the street, a viewer and a staff member scoped to one community, a planner of that community;
and real Chromium (Debian's) with every non-local request blocked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from gridsvc.access import Role, Scope
from gridsvc.maps.chromium import ARGS, LOCAL_PREFIXES, chromium_path
from gridsvc.services import users
from tests.api.conftest import free_port
from tests.factories import Server, street_db
from tests.helpers import PLANNER, assign

PASSWORD = "workbench-pass-1"
ACCOUNTS = {  # name: (role, scope)
    "planner": (Role.planner, Scope()),
    "viewer1": (Role.viewer, Scope("community", "GH01")),
    "staff1": (Role.staff, Scope("community", "GH01")),
    "planner1": (Role.planner, Scope("community", "GH01")),
}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Bench:
    url: str
    db_url: str
    log: Path
    data_dir: Path
    names: dict[str, set[str]] = field(default_factory=dict)  # community -> head names

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in as a script would: read the form's token, post the form."""
        client = httpx.Client(base_url=self.url, timeout=120)
        form = client.get("/login")
        token = CSRF_FIELD.search(form.text)[1]  # type: ignore[index]
        answer = client.post("/login", data={"name": name, "password": password, "csrf": token})
        assert answer.status_code == 303, answer.text[:500]
        return client


def csrf_of(page_html: str) -> str:
    return CSRF_FIELD.search(page_html)[1]  # type: ignore[index]


def start(db_url: str, port: int, data_dir: Path) -> tuple[subprocess.Popen, Path]:
    env = {
        **os.environ,
        "GRIDSVC_DATABASE_URL": db_url,
        "GRIDSVC_PORT": str(port),
        "GRIDSVC_DATA_DIR": str(data_dir),
        "GRIDSVC_LOGIN_MAX_FAILURES": "3",
    }
    log_path = data_dir / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gridsvc", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).raise_for_status()
            return server, log_path
        except httpx.HTTPError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError(log_path.read_text()) from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def bench(
    pg_server: Server, small_street_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bench]:
    with street_db(pg_server, small_street_folder) as conn:
        conn.autocommit = True
        assign(conn, fresh=True)
        for name, (role, scope) in ACCOUNTS.items():
            users.add_user(conn, PLANNER, name, role, scope, PASSWORD)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT c.code, h.head_name FROM household h JOIN grid_section s"
                " ON s.id = h.section_id JOIN community c ON c.id = s.community_id"
            )
            names: dict[str, set[str]] = {}
            for community, head in cur.fetchall():
                names.setdefault(community, set()).add(head)
        db_url = pg_server.app.replace("{db}", conn.info.dbname)
        data_dir = tmp_path_factory.mktemp("bench")
        port = free_port()
        server, log = start(db_url, port, data_dir)
        try:
            yield Bench(f"http://127.0.0.1:{port}", db_url, log, data_dir, names)
        finally:
            server.terminate()
            server.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=chromium_path(), args=ARGS, headless=True)
        yield found
        found.close()


def offline_context(browser: Browser, width: int = 1400, height: int = 1000) -> BrowserContext:
    """A browser context that aborts (and records in `blocked`) every non-local request."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.blocked = []  # type: ignore[attr-defined]

    def route(r):  # type: ignore[no-untyped-def]
        if r.request.url.startswith(LOCAL_PREFIXES):
            r.continue_()
        else:
            context.blocked.append(r.request.url)  # type: ignore[attr-defined]
            r.abort()

    context.route("**/*", route)
    return context


def browser_login(context: BrowserContext, bench: Bench, name: str) -> Page:
    page = context.new_page()
    page.goto(f"{bench.url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{bench.url}/")
    return page
