"""Members of each group found once (sort, then slices), and nearest neighbours within groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from gridsvc.assign.problem import Floats, Ints


def distinct(values: Ints) -> Ints:
    """np.unique by sorting: NumPy 2's hash-based unique is far slower on millions of keys."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def ranges(starts: Ints, counts: Ints) -> Ints:
    """range(s, s + c) for each (s, c), concatenated, without a Python loop."""
    counts = np.asarray(counts, np.int64)
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


@dataclass(frozen=True)
class GroupIndex:
    """`order` lists the items group by group; group i's are order[starts[i]:starts[i + 1]].

    Built with one stable sort, so walking all groups costs O(n log n) once and O(size) per
    group, instead of a scan of every item per group.
    """

    labels: Ints  # the distinct group labels, ascending
    order: Ints
    starts: Ints

    @classmethod
    def of(cls, groups: Ints, labels: Ints | None = None) -> GroupIndex:
        """Index `groups` (one label per item) by `labels`, which must include every label
        present (default: exactly those); absent labels get empty slices."""
        labels = distinct(groups) if labels is None else np.asarray(labels, np.int64)
        order = np.argsort(groups, kind="stable")
        starts = np.searchsorted(groups[order], labels)
        return cls(labels, order, np.append(starts, len(groups)))

    def members(self, i: int) -> Ints:
        return self.order[self.starts[i] : self.starts[i + 1]]

    def sizes(self) -> Ints:
        return np.diff(self.starts)

    def __len__(self) -> int:
        return len(self.labels)


def nearest_in_group(
    points: Floats, point_group: Ints, targets: Floats, target_group: Ints
) -> tuple[Floats, Ints]:
    """Distance from each point to the nearest target of its own group, and that target's index
    (inf and -1 when the group has none).

    One KD-tree for all groups: each group is lifted to its own height, farther above the next
    than any two points lie apart, so the nearest target is one of the point's group whenever
    the group has one. Same-group distances stay exact (their height difference is 0).
    """
    if len(points) == 0 or len(targets) == 0:
        return np.full(len(points), np.inf), np.full(len(points), -1, np.int64)
    both = np.concatenate([points, targets])
    spacing = 4.0 * (float(np.ptp(both[:, 0]) + np.ptp(both[:, 1])) + 1.0)
    _, inverse = np.unique(np.concatenate([point_group, target_group]), return_inverse=True)
    height = inverse.astype(np.float64) * spacing
    tree = cKDTree(np.column_stack([targets, height[len(points) :]]))
    distance, index = tree.query(np.column_stack([points, height[: len(points)]]), workers=-1)
    far = distance >= spacing / 2
    return np.where(far, np.inf, distance), np.where(far, -1, index).astype(np.int64)
