"""Who may see what: roles, API keys (kept as hashes) and masking of personal data."""

from __future__ import annotations

import hashlib
import secrets
from enum import IntEnum


class Role(IntEnum):
    """Ordered: each role sees what the ones below it see."""

    public = 0  # no key: /locate and the structure, no personal data
    viewer = 1  # names and phones masked, no key-household status
    staff = 2  # full records
    planner = 3  # staff, plus imports, runs and exports

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name]
        except KeyError:
            raise ValueError(f"role {name!r}: choose viewer, staff or planner") from None


KEY_PREFIX = "gs_"


def new_key() -> str:
    """A fresh API key: shown once, stored only as its hash."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


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


def shown_name(name: str | None, role: Role) -> str | None:
    if role >= Role.staff:
        return name
    return mask_name(name) if role >= Role.viewer else None


def shown_phone(phone: str | None, role: Role) -> str | None:
    if role >= Role.staff:
        return phone
    return mask_phone(phone) if role >= Role.viewer else None


def shown_key_category(category: str | None, role: Role) -> str | None:
    """Key-household status is sensitive: staff and planners only."""
    return category if role >= Role.staff else None
