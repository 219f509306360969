"""Read queries shared by the CLI and the API."""

from __future__ import annotations

from psycopg2.extensions import connection

COUNTS_SQL = """
    SELECT (SELECT count(*) FROM community), (SELECT count(*) FROM grid_section),
           (SELECT count(*) FROM resident_group), (SELECT count(*) FROM representative),
           (SELECT count(*) FROM representative WHERE active),
           (SELECT count(*) FROM household),
           (SELECT count(*) FROM household WHERE key_category IS NOT NULL)"""


def counts(conn: connection) -> dict[str, int]:
    """How many of each level and person the store holds."""
    with conn.cursor() as cur:
        cur.execute(COUNTS_SQL)
        row = cur.fetchone()
    assert row is not None
    keys = (
        "communities",
        "sections",
        "groups",
        "representatives",
        "active_representatives",
        "households",
        "key_households",
    )
    return dict(zip(keys, (int(v) for v in row), strict=True))
