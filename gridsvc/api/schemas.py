"""Response models: what each endpoint promises (personal fields may be masked or null)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Place(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    community_code: str
    community_name: str
    section_code: str
    section_name: str
    group_code: str
    group_name: str


class RepresentativeBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str | None = Field(None, description="masked for viewers, absent without a key")
    phone: str | None = Field(None, description="masked for viewers, absent without a key")
    role: str
    distance_m: float | None = None
    lon: float | None = None
    lat: float | None = None


class Household(Place):
    code: str
    address: str | None
    head_name: str | None
    phone: str | None
    key_category: str | None = Field(None, description="staff and planners only")
    lon: float | None
    lat: float | None
    representative: RepresentativeBrief | None = Field(
        None, description="in the run in force; null if none or uncovered"
    )
    cross_group: bool | None = None


class HouseholdBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    address: str | None
    head_name: str | None
    phone: str | None
    key_category: str | None = None
    distance_m: float | None
    lon: float | None
    lat: float | None


class Representative(Place):
    code: str
    name: str | None
    phone: str | None
    role: str
    party_member: bool
    active: bool
    min_load: int
    max_load: int
    load: int = Field(description="households contacted in the run in force")
    lon: float | None = Field(None, description="the home: to a ~50 m block for viewers")
    lat: float | None = None


class RepresentativeHouseholds(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    representative: str
    count: int
    households: list[HouseholdBrief]


class Located(Place):
    lon: float = Field(description="the point, in CGCS2000")
    lat: float
    representatives: list[RepresentativeBrief]


class Figures(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    households: int
    key_households: int | None = Field(None, description="staff and planners only")
    covered: int
    coverage: float | None
    cross_group: int
    representatives: int
    capacity: int
    load_min: int | None
    load_mean: float | None
    load_max: int | None
    loads_out_of_range: int
    uncovered: int
    run_id: int | None


class CommunityFigures(Figures):
    sections: int
    groups: int


class SectionFigures(Figures):
    community_code: str
    groups: int


class GroupFigures(Figures):
    community_code: str
    section_code: str
