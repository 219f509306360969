"""Printed material (两图一卡) as HTML from Jinja templates: the notice-board sheet (a vector
map), the contact cards, the five-level organisation chart, the overview and the atlas cover.
They print what they are given: the caller passes data through the access policy first."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import qrcode
from jinja2 import Environment, PackageLoader, select_autoescape
from qrcode.constants import ERROR_CORRECT_M

from gridsvc.errors import ConfigError
from gridsvc.maps.data import SectionData
from gridsvc.maps.overview_print import build_overview_svg
from gridsvc.maps.roll import door, doors, lines, pages
from gridsvc.maps.svgmap import build_svg_map, numbers

QR_MASK = 2  # any of 0..7 reads; a fixed one saves the search
CARDS_PER_PAGE = 4  # A6 each: 2 × 2 on A4, cut along the borders
SHEET_MAP_MM = (284.0, 257.0)  # the map's part of an A3 landscape sheet
SET_PUBLIC_URL = (
    "set GRIDSVC_PUBLIC_URL to the address residents' phones reach (e.g. "
    "GRIDSVC_PUBLIC_URL=https://grid.example.gov.cn gridsvc render --format pdf), "
    "or pass --draft for a proof marked 样稿"
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gridsvc.maps", "templates"), autoescape=select_autoescape(["html"])
    )
    return env


@lru_cache(maxsize=8192)  # a representative's URL is the same in every run: made once
def qr_svg(url: str) -> str:
    """A QR code as one SVG path, a rectangle per run of dark modules. The mask is fixed: the
    search for the best one cost 30 ms a code (half a minute for a street's cards), and any
    mask reads (the tests decode them)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000"/></svg>'
    )


def check_public_url(url: str | None, *, draft: bool) -> str:
    """The base of a card's QR code. A print run refuses an unset or loopback address (no
    resident's phone reaches it); a draft accepts it."""
    if not url:
        if draft:
            return "http://127.0.0.1:8000"
        raise ConfigError(f"GRIDSVC_PUBLIC_URL is not set: {SET_PUBLIC_URL}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"GRIDSVC_PUBLIC_URL {url!r} is not an http(s) address")
    if not draft and is_loopback(parts.hostname):
        raise ConfigError(f"GRIDSVC_PUBLIC_URL {url} is this machine only: {SET_PUBLIC_URL}")
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _text(value: object) -> str | None:
    """A value the policy may have withheld: a frame holds that as NaN, which is truthy."""
    return value if isinstance(value, str) and value else None


def _group_names(data: SectionData) -> dict[str, str]:
    return {
        str(c): str(n).removeprefix(data.community)
        for c, n in zip(data.groups["code"], data.groups["name"], strict=True)
    }


def _today() -> str:
    return dt.date.today().isoformat()


@dataclass(frozen=True)
class Part:
    """One section's share of a print document: its template, what fills it, and how many
    pages it prints (known before printing, so that a book of many can be cut apart)."""

    template: str
    title: str
    context: dict[str, Any]
    pages: int


def page(parts: list[Part]) -> str:
    """Parts of one kind as one HTML document: a section's own page, or a book of many."""
    return (
        environment()
        .get_template(parts[0].template)
        .render(parts=[p.context for p in parts], title=parts[0].title)
    )


def section_sheet(data: SectionData, *, internal: bool = False) -> str:
    """The A3 notice-board sheet: the section as a vector map with numbered representatives,
    their contact list under the same numbers, then the household list (联户名单)."""
    return page([sheet_part(data, internal=internal)])


def sheet_part(data: SectionData, *, internal: bool = False) -> Part:
    names = _group_names(data)
    numbered = numbers(data)
    reps = sorted(
        (
            {
                "number": numbered[str(r.code)],
                "name": r.name,
                "phone": _text(r.phone)
                or (f"居委会 {data.office_phone}" if data.office_phone else "—"),
                "role": r.role,
                "group": names.get(r.group_code, r.group_code),
                "load": int(r.load),
            }
            for r in data.representatives.itertuples()
        ),
        key=lambda r: r["number"],
    )
    roll = pages(lines(data, numbered))
    context = {
        "section": data,
        "map": build_svg_map(data, *SHEET_MAP_MM),
        "reps": reps,
        "households": len(data.households),
        "covered": int(data.households["rep_code"].notna().sum()),
        "run_id": data.run_id,
        "internal": internal,
        "today": _today(),
        "roll": roll,
    }
    return Part("print_section.html", f"{data.name} 网格图", context, 1 + len(roll))


def contact_cards(
    data: SectionData, public_url: str, *, draft: bool = False, internal: bool = False
) -> str:
    """One card per representative, four to an A4 page (A6 each), with a QR code to their
    page; a representative who does not publish a phone gives the office's."""
    return page([cards_part(data, public_url, draft=draft, internal=internal)])


def cards_part(
    data: SectionData, public_url: str, *, draft: bool = False, internal: bool = False
) -> Part:
    base = check_public_url(public_url, draft=draft)
    names = _group_names(data)
    chief = _holder(data, "片区网格长", data.code)
    members = dict(iter(data.households.sort_values("address").groupby("rep_code")))
    cards = []
    for r in data.representatives.sort_values(["group_code", "code"]).itertuples():
        listed = members.get(r.code, data.households.iloc[:0])
        cards.append(
            {
                "code": r.code,
                "name": r.name,
                "role": r.role,
                "phone": _text(r.phone),
                "office_phone": data.office_phone,
                "chief": chief,
                "leader": _holder(data, "小组长", str(r.group_code)),
                "community": data.community,
                "section": data.name,
                "group": names.get(r.group_code, r.group_code),
                **doors(
                    [door(a, data.community) for a in listed["address"]],
                    [n or "" for n in listed["head_name"]],
                ),
                "url": f"{base}/r/{r.code}",
                "qr": qr_svg(f"{base}/r/{r.code}"),
            }
        )
    # a section with no representative still prints one page (the office's number)
    sheets = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)] or [[]]
    context = {
        "section": data,
        "pages": sheets,
        "office_phone": data.office_phone,
        "draft": draft,
        "internal": internal,
        "today": _today(),
    }
    return Part("cards.html", f"{data.name} 代表联系卡", context, len(sheets))


def _holder(data: SectionData, role: str, area: str) -> dict[str, str] | None:
    """The person holding `role` for `area` now (name and phone as the policy gave them)."""
    found = _holders(data, role, area)
    return found[0] if found else None


def _holders(data: SectionData, role: str, area: str) -> list[dict[str, str]]:
    # a plain loop: a section has a dozen people, and a pandas mask per card cost 1 ms
    people = data.people
    return [
        {"name": str(n or ""), "phone": str(p or "")}
        for n, p, r, a in zip(
            people["name"], people["phone"], people["role"], people["area_code"], strict=True
        )
        if r == role and a == area
    ]


def _community_code(data: SectionData) -> str:
    """The section's community code, from the people serving it at community level."""
    found = data.people[data.people["level"] == "community"]
    return str(found["area_code"].iloc[0]) if len(found) else ""


def org_chart(data: SectionData) -> str:
    """Community → section → groups → representatives → household counts, on one A3 page."""
    return page([orgchart_part(data)])


def orgchart_part(data: SectionData) -> Part:
    per_group = data.households.groupby("group_code").size()
    numbered = numbers(data)
    groups = []
    for code, name in zip(data.groups["code"], data.groups["name"], strict=True):
        reps = data.representatives[data.representatives["group_code"] == code]
        groups.append(
            {
                "name": str(name).removeprefix(data.community),
                "households": int(per_group.get(code, 0)),
                "leaders": [
                    {**person, "role": role}
                    for role in ("小组长", "副组长")
                    for person in _holders(data, role, str(code))
                ],
                "reps": sorted(
                    (
                        {
                            "number": numbered[str(r.code)],
                            "name": r.name,
                            "role": r.role,
                            "load": int(r.load),
                        }
                        for r in reps.itertuples()
                    ),
                    key=lambda r: r["number"],
                ),
            }
        )
    context = dict(
        section=data,
        groups=groups,
        director=_holder(data, "总网格长", _community_code(data)),
        chief=_holder(data, "片区网格长", data.code),
        workers=_holders(data, "网格员", data.code),
        agents=_holders(data, "信访代理员", data.code),
        reps_total=len(data.representatives),
        households=len(data.households),
        run_id=data.run_id,
        today=_today(),
    )
    return Part("orgchart.html", f"{data.name} 五级组织架构图", context, 1)


def overview_sheet(sections: gpd.GeoDataFrame, street: str, run_id: int | None) -> str:
    """The street on one A3 page: sections with their names, communities, coverage."""
    return (
        environment()
        .get_template("overview_print.html")
        .render(
            map=build_overview_svg(sections, 390.0, 255.0),
            street=street,
            run_id=run_id,
            today=_today(),
            households=int(sections["households"].sum()),
            covered=int(sections["covered"].sum()),
        )
    )


def atlas_cover(street: str, sections: gpd.GeoDataFrame, run_id: int | None) -> str:
    """The atlas's first page: the street, the run, and the sections it holds."""
    return (
        environment()
        .get_template("atlas_cover.html")
        .render(
            street=street,
            sections=sections.drop(columns="geometry").to_dict("records"),
            run_id=run_id,
            today=_today(),
        )
    )


def representative_page(rep: dict) -> str:
    """The public page a resident reaches by scanning a card's QR code (the representative's
    published contact, as the policy gives it)."""
    return environment().get_template("rep_page.html").render(rep=rep)
