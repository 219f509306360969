"""The organisation's people: who serves a section, whom a household can call, the gaps."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.schemas import RepresentativeBrief
from gridsvc.db.frames import records
from gridsvc.services import people

router = APIRouter(tags=["people"])


class PersonRole(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str | None
    phone: str | None
    role: str
    level: str
    area_code: str
    start_date: str
    end_date: str | None


class HouseholdContacts(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    household: str
    representative: RepresentativeBrief | None
    group_leader: PersonRole | None
    section_chief: PersonRole | None


@router.get(
    "/sections/{code}/people",
    response_model=list[PersonRole],
    summary="Who serves a section: chief, grid workers, agents, group leaders, the director",
)
def section_people(
    code: str, conn: Conn, actor: AnyCaller, history: bool = False
) -> list[people.PersonRole]:
    return people.section_people(conn, actor, code, history=history)


@router.get(
    "/households/{code}/contacts",
    response_model=HouseholdContacts,
    summary="The household's representative, group leader and section chief in one answer",
)
def household_contacts(code: str, conn: Conn, actor: AnyCaller) -> HouseholdContacts:
    return HouseholdContacts.model_validate(
        people.household_contacts(conn, actor, code), from_attributes=True
    )


@router.get("/people/gaps", summary="Sections without a chief, groups without a leader")
def gaps(conn: Conn, actor: AnyCaller) -> list[dict]:
    return records(people.gaps(conn, actor))
