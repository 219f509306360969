"""Log-in over HTTP as a script does it: the cookie's flags, lock-out, CSRF refused without the
session's token, no session fixation, log-out and password change end sessions."""

from __future__ import annotations

import secrets

import httpx
import psycopg2
import pytest

from gridsvc.access import Role, Scope
from gridsvc.services import users
from tests.helpers import PLANNER
from tests.workbench.conftest import PASSWORD, Bench, csrf_of


def _account(bench: Bench, role: Role = Role.planner, scope: Scope | None = None) -> str:
    """A fresh account of its own (tests that lock or change it touch no one else's)."""
    name = f"u{secrets.token_hex(4)}"
    conn = psycopg2.connect(bench.db_url)
    conn.autocommit = True
    users.add_user(conn, PLANNER, name, role, scope or Scope(), PASSWORD)
    conn.close()
    return name


def _who(client: httpx.Client) -> str:
    """The name in the home page's menu, or 'public'."""
    page = client.get("/").text
    return (
        "public"
        if 'href="/login"' in page
        else page.split('class="me">', 1)[1].split("·")[0].strip()
    )


def test_a_script_logs_in_and_the_cookie_is_strict(bench: Bench) -> None:
    client = httpx.Client(base_url=bench.url)
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login", data={"name": "planner", "password": PASSWORD, "csrf": token, "next": "/"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "gridsvc_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; GRIDSVC_COOKIE_SECURE or https adds it
    assert _who(client) == "planner"


def test_wrong_passwords_lock_the_account(bench: Bench) -> None:
    name = _account(bench)
    client = httpx.Client(base_url=bench.url)
    for _ in range(3):  # the bench's server locks at 3
        token = csrf_of(client.get("/login").text)
        wrong = client.post("/login", data={"name": name, "password": "nope-nope-1", "csrf": token})
        assert wrong.status_code == 401 and "gridsvc_session" not in wrong.headers.get(
            "set-cookie", ""
        )
    token = csrf_of(client.get("/login").text)
    locked = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    assert locked.status_code == 401
    unknown = client.post(
        "/login",
        data={
            "name": "nobody-here",
            "password": PASSWORD,
            "csrf": csrf_of(client.get("/login").text),
        },
    )
    assert unknown.text.count("locked") == locked.text.count("locked")  # one message for all


def test_the_login_form_needs_its_token(bench: Bench) -> None:
    client = httpx.Client(base_url=bench.url)
    answer = client.post("/login", data={"name": "planner", "password": PASSWORD, "csrf": "x"})
    assert answer.status_code == 403 and "gridsvc_session=" not in answer.headers.get(
        "set-cookie", ""
    )


def test_forms_and_calls_without_the_sessions_token_are_refused(bench: Bench) -> None:
    victim, other = bench.login("planner"), bench.login("planner")
    page = victim.get("/workbench/sections/GH01-S01").text
    own, foreign = csrf_of(page), csrf_of(other.get("/workbench/runs").text)
    assert own != foreign
    form = {"section": "GH01-S01", "household": "x", "representative": "y", "kind": "fix"}
    for token in (None, foreign, own + "x"):
        data = dict(form, **({"csrf": token} if token else {}))
        answer = victim.post("/workbench/pins", data=data)
        assert answer.status_code == 403 and "csrf" in answer.text
    # the JSON API with a session cookie: the token goes in X-CSRF-Token
    body = {"household": "nope", "representative": "nope"}
    assert victim.post("/pins", json=body).status_code == 401  # without it: the public
    assert victim.post("/pins", json=body, headers={"X-CSRF-Token": foreign}).status_code == 403
    assert victim.post("/pins", json=body, headers={"X-CSRF-Token": own}).status_code == 404
    # a form with its own token goes through to the service (which names the bad household)
    answer = victim.post("/workbench/pins", data=dict(form, csrf=own))
    assert answer.status_code == 404 and "household x" in answer.text


def test_a_planted_session_id_is_never_taken_over(bench: Bench) -> None:
    attacker = bench.login("viewer1")
    planted = attacker.cookies["gridsvc_session"]
    victim = httpx.Client(base_url=bench.url)
    victim.cookies.set("gridsvc_session", planted)
    token = csrf_of(victim.get("/login").text)
    answer = victim.post("/login", data={"name": "planner", "password": PASSWORD, "csrf": token})
    fresh = answer.cookies["gridsvc_session"]
    assert fresh != planted
    assert _who(attacker) == "public"  # the planted id was ended at the victim's log-in
    made_up = httpx.Client(base_url=bench.url, cookies={"gridsvc_session": "chosen-by-attacker"})
    assert _who(made_up) == "public"


def test_log_out_ends_the_session(bench: Bench) -> None:
    client = bench.login("planner")
    cookie = client.cookies["gridsvc_session"]
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    replay = httpx.Client(base_url=bench.url, cookies={"gridsvc_session": cookie})
    assert _who(replay) == "public"
    assert replay.get("/exports/contacts").status_code == 401


def test_changing_the_password_ends_every_session(bench: Bench) -> None:
    name = _account(bench, Role.viewer, Scope("community", "GH01"))
    first, second = bench.login(name), bench.login(name)
    token = csrf_of(first.get("/password").text)
    short = first.post(
        "/password", data={"csrf": token, "old": PASSWORD, "new": "x", "repeat": "x"}
    )
    assert short.status_code == 400 and "at least 10" in short.text
    new = "a-new-password-2"
    answer = first.post(
        "/password", data={"csrf": token, "old": PASSWORD, "new": new, "repeat": new}
    )
    assert answer.status_code == 303
    assert _who(first) == "public" and _who(second) == "public"
    with pytest.raises(AssertionError):
        bench.login(name)  # the old password
    assert _who(bench.login(name, new)) == name


def test_api_keys_still_work_beside_sessions(bench: Bench) -> None:
    assert httpx.get(f"{bench.url}/exports/contacts").status_code == 401
    client = bench.login("planner")
    assert client.get("/exports/contacts?format=csv").status_code == 200
    wrong = httpx.get(f"{bench.url}/exports/contacts", headers={"X-API-Key": "gs_wrong"})
    assert wrong.status_code == 401


def test_after_log_in_only_local_paths_are_followed(bench: Bench) -> None:
    for target, expected in (
        ("/workbench/runs", "/workbench/runs"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ):
        client = httpx.Client(base_url=bench.url)
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login", data={"name": "planner", "password": PASSWORD, "csrf": token, "next": target}
        )
        assert answer.headers["location"] == expected


def test_the_cookie_is_secure_behind_https() -> None:
    from starlette.requests import Request

    from gridsvc.api.routes.auth import secure
    from gridsvc.settings import Settings

    class App:
        class state:  # the shape of app.state
            settings = Settings.model_construct(cookie_secure=False)

    def request(scheme: str) -> Request:
        return Request(
            {
                "type": "http",
                "scheme": scheme,
                "app": App,
                "headers": [],
                "path": "/",
                "server": ("h", 443),
                "query_string": b"",
            }
        )

    assert secure(request("https")) and not secure(request("http"))
    App.state.settings = Settings.model_construct(cookie_secure=True)
    assert secure(request("http"))
