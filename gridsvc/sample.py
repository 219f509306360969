"""The reproducible sample street: a Guihua-like street (桂花街道) generated from a seed.

Areas are centroidal Voronoi tiles built top-down (community ▸ section ▸ group) in metres;
the parents are then re-derived as unions of their children, so the nesting is exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.cluster.vq import kmeans2
from shapely.geometry import MultiPolygon, Point, Polygon

from gridsvc.coords import CGCS2000, from_metric, gauss_kruger_epsg, to_metric

CENTRE = (113.15, 27.85)
DEGREE_GRID = 1e-7  # ~1 cm: every coordinate written is on this grid

COMMUNITIES = [
    "桂花社区",
    "东塘社区",
    "美的城社区",
    "新华社区",
    "金钩社区",
    "樟树社区",
    "湘水村",
    "仙岭村",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤易刘文胡颜"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅玉志辉鹏飞斌波宇浩凯"
    "婷雪琴云莲珍翠春秋菊德福祥贵才发成龙凤海生林清泉松柏荣兴旺庆喜乐安宁和顺"
)
PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
COMPOUND_HEADS = (
    "桂花 美的 金色 锦绣 东方 翰林 湘江 荷塘 天元 滨江 书香 阳光 华润 幸福 丽景 翠竹 "
    "紫薇 龙湖 盛世 金钩 银杏 樟树 芙蓉 新华 建设 红旗 建宁 钻石 石峰 育才"
).split()
COMPOUND_TAILS = "苑 花园 家园 名都 华庭 新村 小区 公馆 雅苑 嘉园".split()
KEY_CATEGORIES = ("低保", "残障", "独居老人", "孤儿")
KEY_WEIGHTS = (0.35, 0.25, 0.35, 0.05)
ROLES = ("楼栋长", "党员志愿者", "志愿者", "小区党支部委员")
CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class StreetSpec:
    """How many of each level; the defaults are Guihua Street's own figures."""

    communities: int = 8
    sections: int = 38
    groups: int = 122
    representatives: int = 1051
    households_per_rep: float = 10.0
    key_share: float = 0.08
    villages: int = 2
    radius_m: float = 1900.0


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones or not head else "")


def split_evenly(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    """`parts` integers summing to `total`, differing by at most one, in random order."""
    base, extra = divmod(total, parts)
    counts = np.array([base + 1] * extra + [base] * (parts - extra))
    rng.shuffle(counts)
    return counts.tolist()


def street_outline(spec: StreetSpec, rng: np.random.Generator) -> Polygon:
    """An irregular, star-shaped outline around the origin (metres)."""
    theta = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    phases = rng.uniform(0, 2 * np.pi, 3)
    radius = spec.radius_m * (
        1
        + 0.12 * np.sin(2 * theta + phases[0])
        + 0.08 * np.sin(3 * theta + phases[1])
        + 0.04 * np.sin(5 * theta + phases[2])
    )
    return Polygon(np.column_stack([1.3 * radius * np.cos(theta), radius * np.sin(theta)]))


def random_points_in(poly: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` uniform random points inside `poly`, as an (n, 2) array."""
    minx, miny, maxx, maxy = poly.bounds
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * n, 64), 2))
        inside = batch[shapely.contains_xy(poly, batch[:, 0], batch[:, 1])]
        found.append(inside)
        have += len(inside)
    return np.concatenate(found)[:n]


def tile(poly: Polygon, parts: int, rng: np.random.Generator) -> list[Polygon | MultiPolygon]:
    """Cut `poly` into `parts` compact tiles (centroidal Voronoi via k-means on a dense sample)."""
    if parts == 1:
        return [poly]
    sample = random_points_in(poly, 120 * parts, rng)
    seeds, _ = kmeans2(sample, parts, seed=rng, minit="++")
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=poly)
    tiles = [cell.intersection(poly) for cell in shapely.get_parts(cells)]
    tiles = [shapely.make_valid(t) for t in tiles if not t.is_empty]
    tiles.sort(key=lambda t: (-t.centroid.y, t.centroid.x))  # north-west first, like a map read
    return tiles


def main_polygon(geom: Polygon | MultiPolygon) -> Polygon:
    return max(shapely.get_parts(geom), key=lambda p: p.area)


class _People:
    """Names, phones and codes drawn from one random stream."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def name(self) -> str:
        given = "".join(self.rng.choice(list(GIVEN), size=int(self.rng.integers(1, 3))))
        return str(self.rng.choice(list(SURNAMES))) + given

    def phone(self) -> str:
        prefix = str(self.rng.choice(PHONE_PREFIXES))
        return prefix + "".join(str(d) for d in self.rng.integers(0, 10, size=8))


def _slots_compound(
    group: Polygon, count: int, compound: str, rng: np.random.Generator
) -> list[tuple[float, float, str]]:
    """Home points and addresses in buildings (栋/单元/室) of a compound inside `group`."""
    inner = group.buffer(-15)
    if inner.is_empty or inner.area < 2000:
        inner = group.buffer(-3)
    floors = int(rng.integers(5, 12))
    units = int(rng.integers(1, 4))
    per_building = floors * units * 2
    buildings = max(1, int(np.ceil(count / (per_building * 0.7))))
    sites = random_points_in(main_polygon(inner), buildings, rng)
    slots = []
    for b, (bx, by) in enumerate(sites, start=1):
        for u in range(1, units + 1):
            ux, uy = bx + (u - 1) * 10.0, by
            if not group.buffer(-1).contains(Point(ux, uy)):
                ux, uy = bx, by
            for f in range(1, floors + 1):
                for r in (1, 2):
                    slots.append((ux, uy, f"{compound}{b}栋{u}单元{f}0{r}室"))
    pick = rng.choice(len(slots), size=count, replace=False)
    return [slots[i] for i in sorted(pick)]


def _slots_village(
    group: Polygon, count: int, village: str, group_no: int, rng: np.random.Generator
) -> list[tuple[float, float, str]]:
    """Scattered farm houses around hamlets (屋场) inside `group`."""
    inner = main_polygon(group.buffer(-8) if not group.buffer(-8).is_empty else group)
    hamlets = random_points_in(inner, int(rng.integers(3, 7)), rng)
    slots: list[tuple[float, float, str]] = []
    while len(slots) < count:
        hx, hy = hamlets[rng.integers(len(hamlets))]
        x, y = hx + rng.normal(0, 45), hy + rng.normal(0, 45)
        if inner.contains(Point(x, y)):
            slots.append((x, y, f"{village}{group_no}组{len(slots) + 1}号"))
    return slots


def generate(seed: int = 20221228, spec: StreetSpec | None = None) -> dict[str, object]:
    """Build the street: GeoDataFrames for the three levels and DataFrames for the people."""
    spec = spec or StreetSpec()
    rng = np.random.default_rng(seed)
    people = _People(rng)
    epsg = gauss_kruger_epsg(CENTRE[0])
    cx, cy = to_metric([CENTRE[0]], [CENTRE[1]], epsg)
    outline = shapely.affinity.translate(street_outline(spec, rng), cx[0], cy[0])

    community_tiles = tile(outline, spec.communities, rng)
    dist = [t.centroid.distance(Point(cx[0], cy[0])) for t in community_tiles]
    village_idx = set(np.argsort(dist)[-spec.villages :].tolist()) if spec.villages else set()
    names = [n for n in COMMUNITIES if not n.endswith("村")]
    village_names = [n for n in COMMUNITIES if n.endswith("村")]
    sections_per = split_evenly(spec.sections, spec.communities, rng)
    groups_per_section = split_evenly(spec.groups, spec.sections, rng)
    reps_per_group = split_evenly(spec.representatives, spec.groups, rng)
    compound_names = [h + t for h in COMPOUND_HEADS for t in COMPOUND_TAILS]
    rng.shuffle(compound_names)

    groups, sections, communities, reps, households = [], [], [], [], []
    section_no = group_no_global = 0
    for ci, ctile in enumerate(community_tiles):
        is_village = ci in village_idx
        cname = village_names.pop(0) if is_village else names.pop(0)
        ccode = f"GH{ci + 1:02d}"
        communities.append({"code": ccode, "name": cname})
        group_in_community = 0
        for si, stile in enumerate(tile(ctile, sections_per[ci], rng), start=1):
            scode = f"{ccode}-S{si:02d}"
            sections.append(
                {"code": scode, "name": f"{cname}第{cn_number(si)}网格片区", "parent_code": ccode}
            )
            n_groups = groups_per_section[section_no]
            section_no += 1
            for gi, gtile in enumerate(tile(stile, n_groups, rng), start=1):
                group_in_community += 1
                gcode = f"{scode}-G{gi:02d}"
                kind = "村民小组" if is_village else "居民小组"
                groups.append(
                    {
                        "code": gcode,
                        "name": f"{cname}第{group_in_community}{kind}",
                        "parent_code": scode,
                        "geometry": gtile,
                    }
                )
                n_reps = reps_per_group[group_no_global]
                group_no_global += 1
                n_house = round(
                    n_reps
                    * rng.uniform(spec.households_per_rep - 2.5, spec.households_per_rep + 2.5)
                )
                n_house = int(np.clip(n_house, 5 * n_reps + 1, 15 * n_reps - 1))
                poly = main_polygon(gtile)
                if is_village:
                    slots = _slots_village(poly, n_house + n_reps, cname, group_in_community, rng)
                else:
                    compound = compound_names.pop()
                    slots = _slots_compound(poly, n_house + n_reps, compound, rng)
                order = rng.permutation(len(slots))
                for k, idx in enumerate(order[:n_reps]):
                    x, y, _ = slots[idx]
                    role = "小组长" if k == 0 else ("副组长" if k == 1 else str(rng.choice(ROLES)))
                    reps.append(
                        {
                            "name": people.name(),
                            "phone": people.phone(),
                            "group_code": gcode,
                            "role": role,
                            "party_member": bool(rng.random() < 0.544),
                            "x": x,
                            "y": y,
                        }
                    )
                for idx in sorted(order[n_reps:]):
                    x, y, address = slots[idx]
                    key = None
                    if rng.random() < spec.key_share:
                        key = str(rng.choice(KEY_CATEGORIES, p=KEY_WEIGHTS))
                    households.append(
                        {
                            "head_name": people.name(),
                            "phone": people.phone(),
                            "address": f"{cname}{address}",
                            "group_code": gcode,
                            "key_category": key,
                            "x": x,
                            "y": y,
                        }
                    )
    return _assemble(groups, sections, communities, reps, households, epsg, seed, spec)


def _to_degrees(geom: Polygon | MultiPolygon, epsg: int) -> Polygon | MultiPolygon:
    lonlat = shapely.transform(
        geom, lambda xy: np.column_stack(from_metric(xy[:, 0], xy[:, 1], epsg))
    )
    return shapely.make_valid(shapely.set_precision(lonlat, DEGREE_GRID))


def clean_coverage(geoms: list) -> list[MultiPolygon]:
    """Make polygons a gap- and overlap-free coverage: snap-round and node every boundary
    together on the degree grid, then give each face to the polygon that holds most of it."""
    noded = shapely.union_all([g.boundary for g in geoms], grid_size=DEGREE_GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    owners: list[list] = [[] for _ in geoms]
    tree = shapely.STRtree(geoms)
    for face in faces:
        candidates = tree.query(face, predicate="intersects")
        best = max(
            candidates,
            key=lambda i: (
                round(shapely.area(shapely.intersection(geoms[i], face)), 12),
                shapely.length(shapely.intersection(geoms[i].boundary, face.boundary)),
            ),
        )
        owners[best].append(face)
    return [_union(parts) for parts in owners]


def _union(parts: object) -> MultiPolygon:
    return MultiPolygon(shapely.get_parts(shapely.union_all(parts)))


def _assemble(
    groups: list[dict],
    sections: list[dict],
    communities: list[dict],
    reps: list[dict],
    households: list[dict],
    epsg: int,
    seed: int,
    spec: StreetSpec,
) -> dict[str, object]:
    crs = f"EPSG:{CGCS2000}"
    group_gdf = gpd.GeoDataFrame(
        groups,
        crs=crs,
        geometry=clean_coverage([_to_degrees(g.pop("geometry"), epsg) for g in groups]),
    )
    by_section = group_gdf.groupby("parent_code").geometry
    section_gdf = gpd.GeoDataFrame(
        sections,
        crs=crs,
        geometry=[_union(by_section.get_group(s["code"]).values) for s in sections],
    )
    by_community = section_gdf.groupby("parent_code").geometry
    community_gdf = gpd.GeoDataFrame(
        communities,
        crs=crs,
        geometry=[_union(by_community.get_group(c["code"]).values) for c in communities],
    )

    def people_frame(rows: list[dict], prefix: str, width: int) -> pd.DataFrame:
        frame = pd.DataFrame(rows)
        lon, lat = from_metric(frame.pop("x"), frame.pop("y"), epsg)
        frame.insert(0, "code", [f"{prefix}{i:0{width}d}" for i in range(1, len(frame) + 1)])
        frame["lon"], frame["lat"] = np.round(lon, 7), np.round(lat, 7)
        return frame

    rep_df = people_frame(reps, "R", 4)
    rep_df["active"] = True
    house_df = people_frame(households, "H", 6)
    meta = {
        "name": "桂花街道 (sample)",
        "district": "荷塘区",
        "city": "株洲市",
        "seed": seed,
        "crs": crs,
        "generator": "gridsvc sample generate",
        "counts": {
            "communities": len(community_gdf),
            "sections": len(section_gdf),
            "groups": len(group_gdf),
            "representatives": len(rep_df),
            "households": len(house_df),
            "key_households": int(house_df["key_category"].notna().sum()),
        },
        "spec": spec.__dict__,
    }
    return {
        "communities": community_gdf,
        "sections": section_gdf,
        "groups": group_gdf,
        "representatives": rep_df,
        "households": house_df,
        "meta": meta,
    }


def write(street: dict[str, object], folder: Path) -> list[Path]:
    """Write the street as GeoJSON (areas), CSV in UTF-8 (people) and street.json."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for level in ("communities", "sections", "groups"):
        path = folder / f"{level}.geojson"
        gdf = street[level]
        assert isinstance(gdf, gpd.GeoDataFrame)
        path.unlink(missing_ok=True)
        gdf.to_file(
            path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7, WRITE_NAME="NO"
        )
        written.append(path)
    for people in ("representatives", "households"):
        path = folder / f"{people}.csv"
        frame = street[people]
        assert isinstance(frame, pd.DataFrame)
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    meta_path = folder / "street.json"
    meta_path.write_text(
        json.dumps(street["meta"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written.append(meta_path)
    return written
