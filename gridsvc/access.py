"""Who may see what: one policy of role × scope × field, and the masks it applies.

Every adapter (API, OGC API, HTML maps, print, exports, CLI) reads personal data through the
services, and the services pass it through `Policy`; nothing else decides what a caller sees.
The table `FIELD_POLICY` is the whole decision, and the README prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and numpy are imported by the frame helpers when called: every
    import pandas as pd  # command and request imports this module, few use frames


class Role(IntEnum):
    """Ordered: each role may do what the ones below it may do."""

    public = 0  # no key, no log-in: areas, codes, counts, representatives' published contact
    viewer = 1  # community systems and dashboards: names and phones masked, homes to a block
    representative = 2  # a 居民代表: their own households in full (scope representative:CODE)
    staff = 3  # the office: full records of its scope, print material
    planner = 4  # staff, plus imports, runs, steering and exports

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name]
        except KeyError:
            choices = ", ".join(r.name for r in cls if r is not Role.public)
            raise ValueError(f"role {name!r}: choose {choices}") from None


class Show(Enum):
    """How much of a field a caller gets."""

    hidden = "hidden"  # null / not drawn
    masked = "masked"  # 张** / 138****5678
    published = "published"  # a representative's phone if they agreed to publish it
    reachable = "reachable"  # full for those whose role is to be reached, else masked
    block = "block"  # a point snapped to a ~50 m block
    full = "full"


H, M, P, B, F = Show.hidden, Show.masked, Show.published, Show.block, Show.full
R = Show.reachable

# field -> what each role gets (public, viewer, representative, staff, planner) inside the
# caller's scope; outside it every personal field falls back to the public column. A
# representative's scope is their own households (and their own record).
FIELD_POLICY: dict[str, tuple[Show, Show, Show, Show, Show]] = {
    "household.head_name": (H, M, F, F, F),
    "household.phone": (H, M, F, F, F),
    "household.address": (H, F, F, F, F),
    "household.point": (H, B, F, F, F),
    "household.key_category": (H, H, F, F, F),  # counts of key households too
    "representative.name": (F, F, F, F, F),  # their published contact: what the card is for
    "representative.phone": (P, P, F, F, F),
    "representative.home": (H, B, F, F, F),
    "contact.line": (H, B, F, F, F),  # who contacts whom: both ends are homes
    "person.name": (F, F, F, F, F),  # the organisation's people, on the org chart
    "person.phone": (R, R, F, F, F),  # full for chiefs and directors (to be reached)
    "request.phone": (H, M, F, F, F),  # a resident's phone for the reply to a request (诉求)
    "request.text": (H, H, F, F, F),  # what they wrote: may name people and homes
}

BLOCK_DEGREES = 0.0005  # ~55 m north-south, ~49 m east-west at Zhuzhou's latitude
SCOPE_LEVELS = ("street", "community", "section", "representative")


@dataclass(frozen=True)
class Scope:
    """The part of the street a caller answers for: the street, a community, a section, or
    (for a representative) their own households."""

    level: str = "street"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.level not in SCOPE_LEVELS:
            raise ValueError(f"scope {self.level!r}: choose {', '.join(SCOPE_LEVELS)}")
        if (self.level == "street") != (self.code is None):
            raise ValueError("a community or section scope names its code; the street none")

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """'street', 'community:GH01', 'section:GH01-S02' or 'representative:R0001' (None:
        the street)."""
        if not text or text == "street":
            return cls()
        level, _, code = text.partition(":")
        return cls(level, code or None)

    def __str__(self) -> str:
        return self.level if self.code is None else f"{self.level}:{self.code}"

    def covers(
        self, community: str | None, section: str | None, representative: str | None = None
    ) -> bool:
        """Whether a record (by its community, section and representative codes) lies in
        this scope."""
        if self.level == "street":
            return True
        given = {"community": community, "section": section, "representative": representative}
        return given[self.level] == self.code


STREET = Scope()


@dataclass(frozen=True)
class Actor:
    """Who is asking, as the audit records it: a name, a role and a scope."""

    name: str
    role: Role
    scope: Scope = STREET
    key_id: int | None = None
    via: str = "cli"  # "GET /households/H1", "cli", ...

    def at_least(self, role: Role) -> bool:
        return self.role >= role

    def show(self, field: str, in_scope: bool = True) -> Show:
        """What this actor gets of `field` for a record inside (or outside) their scope (a
        representative without a representative scope has none)."""
        if self.role == Role.representative and self.scope.level != "representative":
            in_scope = False
        column = self.role if in_scope else Role.public
        return FIELD_POLICY[field][column]


PUBLIC = Actor("public", Role.public, via="web")


def mask_name(name: str | None) -> str | None:
    """张三丰 -> 张**: the surname stays, so a neighbour can still recognise the card."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str | None:
    """13812345678 -> 138****5678."""
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def to_block(value: float | None) -> float | None:
    """A coordinate snapped to the centre of its ~50 m block."""
    if value is None or not math.isfinite(value):
        return None
    return round(math.floor(value / BLOCK_DEGREES) * BLOCK_DEGREES + BLOCK_DEGREES / 2, 7)


def apply(show: Show, value: object, *, published: bool = True, kind: str = "text") -> object:
    """One value as `show` allows; `kind` is text, name, phone or coordinate."""
    if value is None or show is Show.hidden:
        return None
    if show is Show.published:
        return value if published else None
    if show is Show.reachable:
        return value if published else mask_phone(str(value)) if kind == "phone" else value
    if show is Show.masked:
        if kind == "name":
            return mask_name(str(value))
        if kind == "phone":
            return mask_phone(str(value))
        return None
    if show is Show.block:
        return to_block(float(value)) if kind == "coordinate" else value  # type: ignore[arg-type]
    return value


# columns of the store's frames -> (field, kind); what `apply_frame` masks
COLUMNS: dict[str, tuple[str, str]] = {
    "head_name": ("household.head_name", "name"),
    "phone": ("household.phone", "phone"),
    "address": ("household.address", "text"),
    "key_category": ("household.key_category", "text"),
    "lon": ("household.point", "coordinate"),
    "lat": ("household.point", "coordinate"),
    "rep_name": ("representative.name", "name"),
    "rep_phone": ("representative.phone", "phone"),
    "rep_lon": ("representative.home", "coordinate"),
    "rep_lat": ("representative.home", "coordinate"),
}
REP_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("representative.name", "name"),
    "phone": ("representative.phone", "phone"),
    "lon": ("representative.home", "coordinate"),
    "lat": ("representative.home", "coordinate"),
}


def _rep_code(record: dict, columns: dict[str, tuple[str, str]]) -> str | None:
    """The representative a record belongs to: a household's, or a representative's own."""
    if columns is REP_COLUMNS:
        return record.get("code")
    return record.get("rep_code") or record.get("representative_code")


def apply_record(actor: Actor, record: dict, columns: dict[str, tuple[str, str]] = COLUMNS) -> dict:
    """A copy of one record (a dict of the store's columns) as `actor` may see it. The record's
    `community_code`/`section_code` place it in or out of the actor's scope; a
    `publish_phone` (or `rep_publish_phone`) of false hides the representative's phone."""
    in_scope = actor.scope.covers(
        record.get("community_code"), record.get("section_code"), _rep_code(record, columns)
    )
    out = dict(record)
    for column, (field, kind) in columns.items():
        if column in out:
            publish_key = "rep_publish_phone" if column == "rep_phone" else "publish_phone"
            published = out.get(publish_key) is not False
            out[column] = apply(
                actor.show(field, in_scope), out[column], published=published, kind=kind
            )
    return out


def _apply_series(show: Show, values: pd.Series, published: pd.Series, kind: str) -> pd.Series:
    """`apply` over a column at once (coordinates stay floats, with NaN for hidden)."""
    import numpy as np
    import pandas as pd

    coordinate = kind == "coordinate"
    empty = pd.Series(
        np.nan if coordinate else None,
        index=values.index,
        dtype="float64" if coordinate else object,
    )
    if show is Show.hidden:
        return empty
    if show is Show.full:
        return values
    if show is Show.published:
        return values.where(published, empty)
    if show is Show.reachable:
        return values.where(published, values.map(mask_phone, na_action="ignore"))
    if show is Show.masked:
        mask = {"name": mask_name, "phone": mask_phone}.get(kind)
        return values.map(mask, na_action="ignore") if mask else empty
    if coordinate:  # block
        blocks = np.floor(values.astype("float64") / BLOCK_DEGREES)
        return (blocks * BLOCK_DEGREES + BLOCK_DEGREES / 2).round(7)
    return values


def apply_frame(
    actor: Actor, frame: pd.DataFrame, columns: dict[str, tuple[str, str]] = COLUMNS
) -> pd.DataFrame:
    """A copy of a frame as `actor` may see it (the same rules as `apply_record`, a column at
    a time); rows outside the scope get the public column of the policy."""
    import pandas as pd

    out = frame.copy()
    if out.empty:
        return out
    if actor.scope.level == "street":
        inside = pd.Series(True, index=out.index)
    else:
        key = f"{actor.scope.level}_code"
        if actor.scope.level == "representative":
            key = (
                "code"
                if columns is REP_COLUMNS
                else ("rep_code" if "rep_code" in out else "representative_code")
            )
        inside = out[key] == actor.scope.code if key in out else pd.Series(False, index=out.index)
    for column, (field, kind) in columns.items():
        if column not in out:
            continue
        publish_key = "rep_publish_phone" if column == "rep_phone" else "publish_phone"
        published = (
            out[publish_key].fillna(True).astype(bool)
            if publish_key in out
            else pd.Series(True, index=out.index)
        )
        shown_in = _apply_series(actor.show(field, True), out[column], published, kind)
        shown_out = _apply_series(actor.show(field, False), out[column], published, kind)
        out[column] = shown_in.where(inside, shown_out)
    return out


# the fast path of `apply_record` for the hot look-ups: each (role, scope kind, in scope,
# columns) gets its decisions from `Actor.show` (so from FIELD_POLICY) once, then reused
Plan = tuple[tuple[str, Show, str, str], ...]  # column, show, kind, the publish flag's column
_PLANS: dict[tuple[Role, bool, bool, int], tuple[dict[str, tuple[str, str]], Plan]] = {}


def field_plan(actor: Actor, in_scope: bool, columns: dict[str, tuple[str, str]] = COLUMNS) -> Plan:
    """What `actor` gets of each of `columns` for a record in (or out of) their scope, as
    FIELD_POLICY says; fields shown in full are left out (nothing to do)."""
    key = (actor.role, actor.scope.level == "representative", in_scope, id(columns))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is columns:
        return cached[1]
    plan = tuple(
        (
            column,
            actor.show(field, in_scope),
            kind,
            "rep_publish_phone" if column == "rep_phone" else "publish_phone",
        )
        for column, (field, kind) in columns.items()
        if actor.show(field, in_scope) is not Show.full
    )
    _PLANS[key] = (columns, plan)
    return plan


def police(actor: Actor, record: dict, columns: dict[str, tuple[str, str]] = COLUMNS) -> dict:
    """`apply_record` in place (no copy), for records made for one answer: the same result."""
    in_scope = actor.scope.covers(
        record.get("community_code"), record.get("section_code"), _rep_code(record, columns)
    )
    for column, show, kind, publish_key in field_plan(actor, in_scope, columns):
        if column in record:
            published = record.get(publish_key) is not False
            record[column] = apply(show, record[column], published=published, kind=kind)
    return record
