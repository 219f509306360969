"""The street's structure: communities, sections and groups with counts, coverage and loads."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query

from gridsvc.access import Role
from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.schemas import CommunityFigures, GroupFigures, SectionFigures
from gridsvc.db import lookups
from gridsvc.errors import NotFound

router = APIRouter(tags=["structure"])


def _clean(row: dict, role: Role) -> dict:
    out = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
    out["coverage"] = round(out["covered"] / out["households"], 4) if out["households"] else None
    if out.get("load_mean") is not None:
        out["load_mean"] = round(float(out["load_mean"]), 2)
    if role < Role.staff:
        out["key_households"] = None  # even counts of key households are for staff
    return out


def _rows(frame: pd.DataFrame, role: Role) -> list[dict]:
    return [_clean(row, role) for row in frame.to_dict("records")]


@router.get("/communities", response_model=list[CommunityFigures])
def communities(conn: Conn, caller: AnyCaller) -> list[dict]:
    groups = lookups.figures(conn)
    by = lookups.roll_up(groups, ["community_code", "community_name"])
    sections = groups.groupby("community_code")["section_code"].nunique()
    by = by.rename(columns={"community_code": "code", "community_name": "name"})
    by["sections"] = by["code"].map(sections)
    return _rows(by, caller.role)


def _sections(conn: Conn) -> pd.DataFrame:
    by = lookups.roll_up(lookups.figures(conn), ["community_code", "section_code", "section_name"])
    return by.rename(columns={"section_code": "code", "section_name": "name"})


@router.get("/sections", response_model=list[SectionFigures])
def sections(
    conn: Conn,
    caller: AnyCaller,
    community: Annotated[str | None, Query(description="a community code")] = None,
) -> list[dict]:
    frame = _sections(conn)
    if community is not None:
        frame = frame[frame["community_code"] == community]
    return _rows(frame, caller.role)


@router.get("/sections/{code}", response_model=SectionFigures)
def section(code: str, conn: Conn, caller: AnyCaller) -> dict:
    frame = _sections(conn)
    frame = frame[frame["code"] == code]
    if frame.empty:
        raise NotFound(f"section {code}: no such section")
    return _rows(frame, caller.role)[0]


@router.get("/groups", response_model=list[GroupFigures])
def groups(
    conn: Conn,
    caller: AnyCaller,
    section: Annotated[str | None, Query(description="a section code")] = None,
) -> list[dict]:
    frame = lookups.figures(conn)
    if section is not None:
        frame = frame[frame["section_code"] == section]
    return _rows(frame, caller.role)


@router.get("/groups/{code}", response_model=GroupFigures)
def group(code: str, conn: Conn, caller: AnyCaller) -> dict:
    frame = lookups.figures(conn)
    frame = frame[frame["code"] == code]
    if frame.empty:
        raise NotFound(f"group {code}: no such group")
    return _rows(frame, caller.role)[0]
