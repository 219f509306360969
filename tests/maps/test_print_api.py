"""Print material over HTTP: for staff only, never rendered inside a request (202 and a
background worker), then served from the files made once for the run and its printed
inputs: an edit within the run makes the next request render them again."""

from __future__ import annotations

import subprocess
import time

import httpx
import psycopg2

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
    cards, waited = fetch_when_made(client, "/maps/sections/GH01-S01/cards.pdf")
    assert waited >= 1  # PDFs are made when asked for, not with the PNG
    assert cards.status_code == 200 and cards.content.startswith(b"%PDF")
    for path in ("/maps/sections/GH01-S01.pdf", "/maps/sections/GH01-S01/orgchart.pdf"):
        pdf, waited = fetch_when_made(client, path)
        assert waited == 0  # made with the cards, in the same job
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = client.get("/maps/sections/GH01-S01.png")
    assert again.status_code == 200 and again.content == png.content


def test_the_overview_is_public(live: Live) -> None:  # noqa: F811
    png, _ = fetch_when_made(live.client(), "/maps/overview.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf, _ = fetch_when_made(live.client(), "/maps/overview.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_an_edit_within_the_run_makes_the_cards_anew(live: Live) -> None:  # noqa: F811
    """The office's phone and a representative's choice not to publish theirs change the
    cards without a new run: the next request is told they are being rendered, then gets
    the new ones."""
    code, path = "GH02-S01", "/maps/sections/GH02-S01/cards.pdf"
    client = live.client("staff")
    before, _ = fetch_when_made(client, path)
    assert client.get(path).content == before.content  # kept while nothing changes
    conn = psycopg2.connect(live.db_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            """SELECT c.id, c.office_phone, r.id, r.phone FROM community c
            JOIN grid_section s ON s.community_id = c.id JOIN resident_group g
            ON g.section_id = s.id JOIN representative r ON r.group_id = g.id
            WHERE s.code = %s AND r.active AND r.publish_phone ORDER BY r.code LIMIT 1""",
            (code,),
        )
        community, office, rep, phone = cur.fetchone()
        assert phone in pdf_text(before.content).replace(" ", "")
        cur.execute(
            "UPDATE community SET office_phone = '0731-55550123' WHERE id = %s", (community,)
        )
        cur.execute("UPDATE representative SET publish_phone = false WHERE id = %s", (rep,))
    try:
        assert client.get(path).status_code == 202  # never the old file, never made inline
        after, _ = fetch_when_made(client, path)
        text = pdf_text(after.content).replace(" ", "")
        assert "0731-55550123" in text and "nan" not in text
        assert phone not in text and (not office or office not in text)
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE community SET office_phone = %s WHERE id = %s", (office, community))
            cur.execute("UPDATE representative SET publish_phone = true WHERE id = %s", (rep,))
        conn.close()
