"""A small street with an assignment in force, and a representative's households to work on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from gridsvc.db.connection import Connection
from gridsvc.db.frames import rows
from tests.api.conftest import live  # noqa: F401 - the live server, for test_api
from tests.helpers import assign


@dataclass
class Worked:
    conn: Connection
    rep: str  # a representative with at least five households
    households: list[str]  # theirs, by code
    community: str
    section: str


@pytest.fixture
def worked(small_street: Connection) -> Iterator[Worked]:
    assign(small_street)
    found = rows(
        small_street,
        """SELECT r.code AS rep, array_agg(h.code ORDER BY h.code) AS households,
                  s.code AS section, c.code AS community
           FROM assignment a JOIN representative r ON r.id = a.representative_id
           JOIN household h ON h.id = a.household_id
           JOIN resident_group g ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
           JOIN community c ON c.id = s.community_id
           WHERE a.run_id = (SELECT id FROM assignment_run WHERE in_force)
           GROUP BY r.code, s.code, c.code HAVING count(*) >= 5 ORDER BY r.code LIMIT 1""",
    )[0]
    # a hand-made case: exactly one key household among theirs
    with small_street.cursor() as cur:
        cur.execute(
            "UPDATE household SET key_category = NULL WHERE code = ANY(%s)", (found["households"],)
        )
        cur.execute(
            "UPDATE household SET key_category = '低保' WHERE code = %s",
            (found["households"][0],),
        )
    small_street.commit()
    yield Worked(
        small_street, found["rep"], found["households"], found["community"], found["section"]
    )
