"""What a section map or sheet draws: one section's areas and people, already passed through
the access policy (a value the caller may not see is None and is not drawn)."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd


@dataclass
class SectionData:
    """One section: its groups, representatives and households, with who contacts whom."""

    code: str
    name: str
    community: str
    groups: gpd.GeoDataFrame  # code, name, geometry
    representatives: pd.DataFrame  # code, name, phone, role, group_code, lon, lat, load
    households: pd.DataFrame  # code, head_name, phone, address, key_category, group_code,
    #                           lon, lat, rep_code, distance_m
    run_id: int | None
    office_phone: str | None = None  # the community office's, for a rep with no published phone
    street: str = ""
    # the organisation's people serving the section now: name, phone, role, level, area_code
    people: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["name", "phone", "role", "level", "area_code"]
        )
    )
