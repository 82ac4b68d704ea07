"""A fact's central value and range: one midpoint rule for every low-high range."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

WIDE_RANGE_RATIO = 10.0
MIDPOINT_RULES = ("geometric_if_wide", "arithmetic")
MidpointRule = Literal["geometric_if_wide", "arithmetic"]


def range_midpoint(low: float, high: float, rule: MidpointRule = "geometric_if_wide") -> float:
    """The middle of a low-high range: the report's one midpoint rule.

    A range whose high is at least :data:`WIDE_RANGE_RATIO` (10) times its low spans an order
    of magnitude or more; its arithmetic midpoint sits next to the high end ($100K-10M would be
    $5.05M), so it takes the geometric midpoint ($1M). Narrower ranges, and ranges reaching
    zero, take the arithmetic midpoint. ``rule="arithmetic"`` always takes the arithmetic one
    (to measure what the rule changes).

    Examples
    --------
    >>> range_midpoint(100_000, 10_000_000)
    1000000.0
    >>> range_midpoint(100_000, 10_000_000, rule="arithmetic")
    5050000.0
    >>> range_midpoint(0.02, 0.05)
    0.035
    """
    if rule not in MIDPOINT_RULES:
        raise ValueError(f"midpoint rule = {rule!r} is not allowed: must be one of {', '.join(MIDPOINT_RULES)}")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError(f"range {low!r}-{high!r} is not allowed: low and high must be finite with low <= high")
    if rule == "geometric_if_wide" and low > 0 and high >= WIDE_RANGE_RATIO * low:
        return round(math.sqrt(low * high), 12)
    return round((low + high) / 2, 12)


def central_value(row: pd.Series | Mapping[str, Any], rule: MidpointRule = "geometric_if_wide") -> float:
    """The central value of a fact: its ``value`` if given, else the midpoint of low and high.

    The midpoint follows :func:`range_midpoint` (geometric for ranges spanning 10x or more).
    A one-sided range ("$200M+") has no midpoint; its bound is returned.

    Examples
    --------
    >>> central_value(pd.Series({"value": None, "low": 0.02, "high": 0.05}))
    0.035
    >>> central_value(pd.Series({"value": 0.92, "low": 0.9, "high": 0.95}))
    0.92
    >>> central_value(pd.Series({"value": None, "low": 1e5, "high": 1e7}))
    1000000.0
    """
    value, low, high = row["value"], row["low"], row["high"]
    if pd.notna(value):
        return float(value)
    if pd.notna(low) and pd.notna(high):
        return range_midpoint(float(low), float(high), rule)
    return float(low) if pd.notna(low) else float(high)


def fact_range(
    row: pd.Series | Mapping[str, Any], rule: MidpointRule = "geometric_if_wide"
) -> tuple[float, float, float]:
    """(low, base, high) of a fact; a missing bound takes the central value.

    Examples
    --------
    >>> fact_range(pd.Series({"value": 40.0, "low": None, "high": None}))
    (40.0, 40.0, 40.0)
    """
    base = central_value(row, rule)
    low = float(row["low"]) if pd.notna(row["low"]) else base
    high = float(row["high"]) if pd.notna(row["high"]) else base
    return low, base, high
