"""Print material over HTTP: for staff only, never rendered inside a request (202 and a
background worker), then served from the files made once for the run."""

from __future__ import annotations

import time

import httpx

from tests.api.conftest import Live, live  # noqa: F401 - the live server fixture

WAIT_S = 300  # a bound for a loaded machine, not a speed target


def fetch_when_made(client: httpx.Client, path: str) -> tuple[httpx.Response, int]:
    """GET until the file is made; returns it and how many 202s came first."""
    pending = 0
    deadline = time.monotonic() + WAIT_S
    while True:
        response = client.get(path)
        if response.status_code != 202:
            return response, pending
        pending += 1
        assert response.headers["retry-after"].isdigit()
        assert "being rendered" in response.json()["detail"]
        assert time.monotonic() < deadline, f"{path} still rendering after {WAIT_S} s"
        time.sleep(1)


def test_print_material_is_for_staff(live: Live) -> None:  # noqa: F811
    """Sheets and cards are posted on paper by staff; the web does not publish them."""
    assert live.client().get("/maps/sections/GH01-S01/cards.pdf").status_code == 401
    assert live.client("viewer").get("/maps/sections/GH01-S01.png").status_code == 403
    client = live.client("staff")
    assert client.get("/maps/sections/NOPE.png").status_code == 404
    png, waited = fetch_when_made(client, "/maps/sections/GH01-S01.png")
    assert waited >= 1  # the first request only queued it
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    for path in ("/maps/sections/GH01-S01/cards.pdf", "/maps/sections/GH01-S01.pdf"):
        pdf, waited = fetch_when_made(client, path)
        assert waited == 0  # made with the section's PNG, in the same job
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = client.get("/maps/sections/GH01-S01.png")
    assert again.status_code == 200 and again.content == png.content


def test_the_overview_is_public(live: Live) -> None:  # noqa: F811
    png, _ = fetch_when_made(live.client(), "/maps/overview.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf, _ = fetch_when_made(live.client(), "/maps/overview.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
