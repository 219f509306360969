"""What a run is computed from, per block: a hash that changes when any input of it does."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from gridsvc.assign import Params

HOUSEHOLD_INPUTS = ["id", "group_id", "key", "lon", "lat", "unit_key"]
REP_INPUTS = ["id", "group_id", "min_load", "max_load", "lon", "lat"]
RULES_NOT_INPUTS = {"workers"}  # how a run is computed, not what it computes


def block_column(params: Params) -> str:
    """Households are solved per section, or per community when crossing sections."""
    return "community_id" if params.cross_section else "section_id"


def _row_sums(frame: pd.DataFrame, columns: list[str], blocks: pd.Series) -> pd.Series:
    """Per block, an order-independent sum of row hashes (wrapping at 2^64) and a count."""
    if frame.empty:
        return pd.Series(dtype=object)
    hashed = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy(np.uint64)
    labels = blocks.to_numpy()
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sums = np.add.reduceat(hashed[order], starts, dtype=np.uint64)  # wraps, as a hash sum may
    counts = np.diff(np.r_[starts, len(order)])
    text = [f"{int(h)}/{int(c)}" for h, c in zip(sums.tolist(), counts.tolist(), strict=True)]
    return pd.Series(text, index=sorted_labels[starts])


def block_hashes(
    households: pd.DataFrame, reps: pd.DataFrame, pins: pd.DataFrame, params: Params
) -> dict[str, str]:
    """'section:ID' (or 'community:ID') -> a hash of its households, representatives, pins
    and the run's rules. Two runs with equal hashes for a block would solve it alike."""
    column = block_column(params)
    level = column.removesuffix("_id")
    rules = {k: v for k, v in params.as_dict().items() if k not in RULES_NOT_INPUTS}
    rules_text = json.dumps(rules, sort_keys=True, default=str)
    house = _row_sums(households, HOUSEHOLD_INPUTS, households[column])
    rep = _row_sums(reps, REP_INPUTS, reps[column])
    block_of = pd.Series(households[column].to_numpy(), index=households["id"].to_numpy())
    pinned = pins[pins["household_id"].isin(block_of.index)]
    pin = _row_sums(
        pinned,
        ["household_id", "representative_id", "kind"],
        pinned["household_id"].map(block_of),
    )
    blocks = sorted(set(house.index) | set(rep.index))
    out = {}
    for block in blocks:
        text = f"{rules_text}|{house.get(block, '')}|{rep.get(block, '')}|{pin.get(block, '')}"
        out[f"{level}:{int(block)}"] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return out
