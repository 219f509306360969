"""Shared for the requests tests: the rules with a fixed calendar, actors, a small street."""

from __future__ import annotations

import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.db.connection import Connection
from gridsvc.db.frames import rows
from gridsvc.services.request_rules import RequestRules

STAFF = Actor("test staff", Role.staff, via="test")
VIEWER = Actor("test viewer", Role.viewer, via="test")
PUBLIC = Actor("public", Role.public, via="test")


@pytest.fixture
def rules() -> RequestRules:
    return RequestRules()


def rep_codes(conn: Connection) -> list[dict]:
    """Representatives with their section and community codes, by code."""
    return rows(
        conn,
        """SELECT r.code, s.code AS section, c.code AS community
           FROM representative r JOIN resident_group g ON g.id = r.group_id
           JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
           ORDER BY r.code""",
    )


def rep_actor(code: str) -> Actor:
    return Actor(f"rep {code}", Role.representative, Scope("representative", code), via="test")
