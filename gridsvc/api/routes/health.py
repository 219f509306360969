"""Liveness and the store's counts."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from gridsvc import __version__
from gridsvc.api.deps import Conn
from gridsvc.db import queries

router = APIRouter(tags=["health"])


class Counts(BaseModel):
    communities: int
    sections: int
    groups: int
    representatives: int
    active_representatives: int
    households: int
    key_households: int


class Health(BaseModel):
    status: str
    version: str
    counts: Counts


@router.get("/health", response_model=Health, summary="Liveness and what the store holds")
def health(conn: Conn) -> Health:
    return Health(status="ok", version=__version__, counts=Counts(**queries.counts(conn)))
