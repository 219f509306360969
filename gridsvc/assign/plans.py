"""Exact plans that gather one building unit onto one representative, and their application."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gridsvc.assign.problem import Bools, Ints, Problem


@dataclass(frozen=True)
class Plan:
    """Moves (household, from, to) that put all of `members` with one representative."""

    members: tuple[int, ...]
    target: int
    distance: float  # metres added
    objective: float  # distance less S for each household brought back to its current rep
    moves: tuple[tuple[int, int, int], ...]


class Planner:
    """Plans on the current state of an assignment (kept here, changed by `apply`).

    Plain Python on lists: a plan touches a dozen households, where NumPy's per-call cost
    would dominate.
    """

    def __init__(
        self,
        problem: Problem,
        rep: Ints,
        partner_ok: Bools,
        anchored: Bools,
        stability_m: float,
    ) -> None:
        self.rep = rep
        self._rep: list[int] = rep.tolist()
        self._x, self._y = problem.hh_xy[:, 0].tolist(), problem.hh_xy[:, 1].tolist()
        self._rx, self._ry = problem.rep_xy[:, 0].tolist(), problem.rep_xy[:, 1].tolist()
        self._min: list[int] = problem.rep_min.tolist()
        self._max: list[int] = problem.rep_max.tolist()
        self._loads: list[int] = np.bincount(rep[rep >= 0], minlength=problem.n_reps).tolist()
        self._prev: list[int] = problem.hh_prev.tolist()
        self._group: list[int] = problem.hh_group.tolist()
        self._rep_group: list[int] = problem.rep_group.tolist()
        self._partner_ok: list[bool] = partner_ok.tolist()
        self._anchored: list[bool] = anchored.tolist()
        self._forbidden = {(int(h), int(r)) for h, r in problem.forbidden}
        self._stability = stability_m
        self._frozen: set[int] = set()
        covered = np.flatnonzero(rep >= 0)
        self._by_rep = covered[np.argsort(rep[covered], kind="stable")]
        self._rep_start = np.searchsorted(rep[self._by_rep], np.arange(problem.n_reps + 1))
        self._at: dict[int, list[int]] = {}

    def _households_at(self, r: int) -> list[int]:
        at = self._at.get(r)
        if at is None:
            at = self._at[r] = self._by_rep[self._rep_start[r] : self._rep_start[r + 1]].tolist()
        return at

    def best(self, members: tuple[int, ...]) -> Plan | None:
        """The cheapest plan (in added distance) over the representatives holding members."""
        best: Plan | None = None
        for t in sorted({self._rep[h] for h in members}):
            plan = self.plan(members, t)
            if plan is not None and (best is None or plan.distance < best.distance):
                best = plan
        return best

    def plan(self, members: tuple[int, ...], t: int) -> Plan | None:
        """Bring every member to t: directly while t has room and the donor stays at its
        minimum or above, else in exchange for t's movable household cheapest to send to the
        donor. None when a member may not move or no partner is left."""
        if len(members) > self._max[t]:
            return None
        x, y, rep, prev, stability = self._x, self._y, self._rep, self._prev, self._stability
        tx, ty = self._rx[t], self._ry[t]
        room = self._max[t] - self._loads[t]
        given: dict[int, int] = {}
        partners: dict[int, list[tuple[float, int]]] = {}  # per donor, cheapest last
        taken: set[int] = set()
        distance = objective = 0.0
        moves: list[tuple[int, int, int]] = []
        for h in members:
            o = rep[h]
            if o == t:
                continue
            if self._anchored[h] or h in self._frozen or (h, t) in self._forbidden:
                return None
            gain = math.hypot(x[h] - tx, y[h] - ty) - math.hypot(
                x[h] - self._rx[o], y[h] - self._ry[o]
            )
            back = -stability if prev[h] == t else 0.0  # brought back to its current rep
            if room > 0 and self._loads[o] - given.get(o, 0) > self._min[o]:
                room -= 1
                given[o] = given.get(o, 0) + 1
                moves.append((h, o, t))
                distance += gain
                objective += gain + back
                continue
            queue = partners.get(o)
            if queue is None:
                queue = partners[o] = self._partners(t, o, members)
            while queue and queue[-1][1] in taken:
                queue.pop()
            if not queue:
                return None
            cost, partner = queue.pop()
            taken.add(partner)
            moves += [(h, o, t), (partner, t, o)]
            distance += gain + cost
            objective += gain + cost + back + (-stability if prev[partner] == o else 0.0)
        return Plan(members, t, distance, objective, tuple(moves))

    def _partners(self, t: int, o: int, members: tuple[int, ...]) -> list[tuple[float, int]]:
        """t's households that may go to o instead, with what that costs, dearest first."""
        group = self._rep_group[o]
        x, y, ok, groups, frozen = self._x, self._y, self._partner_ok, self._group, self._frozen
        ox, oy, tx, ty = self._rx[o], self._ry[o], self._rx[t], self._ry[t]
        found = [
            (math.hypot(x[c] - ox, y[c] - oy) - math.hypot(x[c] - tx, y[c] - ty), c)
            for c in self._households_at(t)
            if ok[c] and groups[c] == group and c not in frozen and c not in members
        ]
        if self._forbidden:
            found = [(cost, c) for cost, c in found if (c, o) not in self._forbidden]
        found.sort(reverse=True)
        return found

    def apply(self, plan: Plan) -> None:
        """Make the moves; the households involved are not moved again."""
        for h, a, b in plan.moves:
            self._households_at(a).remove(h)
            self._households_at(b).append(h)
            self._rep[h] = b
            self.rep[h] = b
            self._loads[a] -= 1
            self._loads[b] += 1
            self._frozen.add(h)
        self._frozen.update(plan.members)
