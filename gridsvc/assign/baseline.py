"""Reference assignments to compare the optimiser with (benchmarks and tests)."""

from __future__ import annotations

import numpy as np

from gridsvc.assign.groups import GroupIndex, distinct
from gridsvc.assign.problem import Ints, Problem


def greedy_nearest(problem: Problem) -> Ints:
    """Nearest-with-capacity inside each group: the closest free pair first, ignoring minimums.
    Households left over stay uncovered (-1)."""
    rep = np.full(problem.n_households, -1, np.int64)
    room = problem.rep_max.copy()
    labels = distinct(problem.hh_group)
    households = GroupIndex.of(problem.hh_group, labels)
    reps = GroupIndex.of(problem.rep_group[np.isin(problem.rep_group, labels)], labels)
    rep_ids = np.flatnonzero(np.isin(problem.rep_group, labels))
    for i in range(len(labels)):
        hs = households.members(i)
        rs = rep_ids[reps.members(i)]
        if not rs.size:
            continue
        d = np.hypot(*(problem.hh_xy[hs, None, :] - problem.rep_xy[None, rs, :]).transpose(2, 0, 1))
        for flat in np.argsort(d, axis=None, kind="stable"):
            h, r = divmod(int(flat), len(rs))
            if rep[hs[h]] < 0 and room[rs[r]] > 0:
                rep[hs[h]] = rs[r]
                room[rs[r]] -= 1
    return rep
