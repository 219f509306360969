"""Printed material (两图一卡) as HTML from Jinja templates: the section sheet, the contact
cards and the five-level organisation chart. They print what they are given: the caller passes
data through the access policy first (masked for a notice board)."""

from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache

import qrcode
import qrcode.image.svg
from jinja2 import Environment, PackageLoader, select_autoescape

from gridsvc.maps.data import SectionData

CARDS_PER_PAGE = 6


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("gridsvc.maps", "templates"), autoescape=select_autoescape(["html"])
    )


def qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    return image.to_string(encoding="unicode")


def _group_names(data: SectionData) -> dict[str, str]:
    return dict(zip(data.groups["code"], data.groups["name"], strict=True))


def _today() -> str:
    return dt.date.today().isoformat()


def section_sheet(data: SectionData, map_png: bytes) -> str:
    """The A3 notice-board sheet: the map and the masked contact list."""
    names = _group_names(data)
    reps = [
        {
            "code": r.code,
            "name": r.name,
            "phone": r.phone or "—",
            "role": r.role,
            "group": names.get(r.group_code, r.group_code).removeprefix(data.community),
            "load": int(r.load),
        }
        for r in data.representatives.itertuples()
    ]
    png = "data:image/png;base64," + base64.b64encode(map_png).decode()
    return (
        environment()
        .get_template("print_section.html")
        .render(
            section=data,
            reps=reps,
            households=len(data.households),
            run_id=data.run_id,
            map_png=png,
            today=_today(),
        )
    )


def contact_cards(data: SectionData, public_url: str) -> str:
    """One card per representative, six to an A4 page, with a QR code to their page."""
    names = _group_names(data)
    members = data.households.groupby("rep_code")
    cards = []
    for r in data.representatives.itertuples():
        listed = members.get_group(r.code) if r.code in members.groups else data.households.iloc[:0]
        cards.append(
            {
                "code": r.code,
                "name": r.name,
                "role": r.role,
                "phone": r.phone or "—",
                "community": data.community,
                "section": data.name,
                "group": names.get(r.group_code, r.group_code),
                "households": [
                    f"{c} {n or ''}"
                    for c, n in zip(listed["code"], listed["head_name"], strict=True)
                ],
                "qr": qr_svg(f"{public_url.rstrip('/')}/r/{r.code}"),
            }
        )
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    return environment().get_template("cards.html").render(section=data, pages=pages)


def org_chart(data: SectionData) -> str:
    """Community → section → groups → representatives → household counts."""
    per_group = data.households.groupby("group_code").size()
    groups = []
    for code, name in zip(data.groups["code"], data.groups["name"], strict=True):
        reps = data.representatives[data.representatives["group_code"] == code]
        groups.append(
            {
                "name": name,
                "households": int(per_group.get(code, 0)),
                "reps": [
                    {"name": r.name, "role": r.role, "load": int(r.load)} for r in reps.itertuples()
                ],
            }
        )
    return (
        environment()
        .get_template("orgchart.html")
        .render(
            section=data,
            groups=groups,
            reps_total=len(data.representatives),
            households=len(data.households),
            run_id=data.run_id,
            today=_today(),
        )
    )


def representative_page(rep: dict) -> str:
    """The public page a resident reaches by scanning a card's QR code (the representative's
    published contact, as the policy gives it)."""
    return environment().get_template("rep_page.html").render(rep=rep)
