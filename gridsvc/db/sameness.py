"""One definition of "unchanged" for people in the store, used by every write: the same
fields, and a point within SAME_POINT_M (a register cannot tell positions apart below ~10 cm:
7 decimals, GCJ-02 round trips); further than MOVED_M is a move."""

from __future__ import annotations

SAME_POINT_M, MOVED_M = 0.1, 1.0
FIELDS = {
    "household": ("head_name", "phone", "address", "group_id", "key_category"),
    "representative": ("name", "phone", "group_id", "role", "party_member", "active"),
}


def unchanged(kind: str, old: str, new: str) -> str:
    """SQL: the row `old` (a table alias) equals `new` in every field and in place."""
    fields = FIELDS[kind]
    return (
        f"(({', '.join(f'{old}.{f}' for f in fields)}) IS NOT DISTINCT FROM"
        f" ({', '.join(f'{new}.{f}' for f in fields)})"
        f" AND ST_DistanceSphere({old}.geom, {new}.geom) < {SAME_POINT_M})"
    )


def moved(old: str, new: str) -> str:
    """SQL: the point moved further than MOVED_M."""
    return f"ST_DistanceSphere({old}.geom, {new}.geom) > {MOVED_M}"
