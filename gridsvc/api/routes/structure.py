"""The street's structure: communities, sections and groups with counts, coverage and loads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.schemas import CommunityFigures, GroupFigures, SectionFigures
from gridsvc.services import structure

router = APIRouter(tags=["structure"])


@router.get("/communities", response_model=list[CommunityFigures])
def communities(conn: Conn, actor: AnyCaller) -> list[structure.PlaceFigures]:
    return structure.places(conn, actor, "community")


@router.get("/sections", response_model=list[SectionFigures])
def sections(
    conn: Conn,
    actor: AnyCaller,
    community: Annotated[str | None, Query(description="a community code", max_length=100)] = None,
) -> list[structure.PlaceFigures]:
    return structure.places(conn, actor, "section", within=community)


@router.get("/sections/{code}", response_model=SectionFigures)
def section(code: str, conn: Conn, actor: AnyCaller) -> structure.PlaceFigures:
    return structure.place(conn, actor, "section", code)


@router.get("/groups", response_model=list[GroupFigures])
def groups(
    conn: Conn,
    actor: AnyCaller,
    section: Annotated[str | None, Query(description="a section code", max_length=100)] = None,
) -> list[structure.PlaceFigures]:
    return structure.places(conn, actor, "group", within=section)


@router.get("/groups/{code}", response_model=GroupFigures)
def group(code: str, conn: Conn, actor: AnyCaller) -> structure.PlaceFigures:
    return structure.place(conn, actor, "group", code)
