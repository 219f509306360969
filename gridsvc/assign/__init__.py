"""The assignment of households to representatives: a pure optimiser (arrays in, arrays out)."""

from gridsvc.assign.problem import Params, Problem
from gridsvc.assign.solve import Solution, solve

__all__ = ["Params", "Problem", "Solution", "solve"]
