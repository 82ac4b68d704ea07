"""Declarations and helpers shared by the chapters (the edition, the seed, the sales cycle, shares, scales)."""

from __future__ import annotations

from typing import Any, Literal

from analysis.parameters.spec import Parameter

EDITION = Parameter(
    "edition",
    str,
    "default",
    "name of the edition (a scenario preset or a run) shown in every caption",
)


def share_parameter(
    name: str, default: float, description: str, fact_id: str, fact_field: Literal["value", "low", "high"]
) -> Parameter:
    return Parameter(
        name,
        float,
        default,
        description,
        unit="share",
        minimum=0,
        maximum=1,
        exclusive_minimum=True,
        exclusive_maximum=True,
        fact_id=fact_id,
        fact_field=fact_field,
    )


SALES_CYCLE_ENDS: tuple[tuple[Literal["low", "high"], float, str], ...] = (
    ("low", 3.0, "shortest"),
    ("high", 12.0, "longest"),
)
# The enterprise sales cycle: one fact, used by two chapters (the CAC payback and the enterprise licence).
SALES_CYCLE = tuple(
    Parameter(
        f"enterprise_sales_cycle_months_{field}",
        float,
        default,
        f"{word} enterprise sales cycle, before an account pays",
        unit="months",
        minimum=0,
        maximum=60,
        fact_id="enterprise_sales_cycle_months",
        fact_field=field,
    )
    for field, default, word in SALES_CYCLE_ENDS
)


def scale_parameter(name: str, what: str, step: float) -> Parameter:
    """A survival input's scale (0.5-1.5, default 1): it multiplies the input's median and 90% interval; the
    explorer's slider moves over the same range in ``step``s."""
    return Parameter(name, float, 1.0, f"multiplies {what} (its median and its 90% interval)", minimum=0.5,
                     maximum=1.5, explorer=(0.5, 1.5, step))  # fmt: skip


def number_parameter(
    name: str, type_: type, default: Any, description: str, unit: str, fact_id: str | None,
    minimum: float | None = 0, maximum: float | None = None, exclusive_minimum: bool = False,
    explorer: tuple[float, float, float] | None = None,
) -> Parameter:  # fmt: skip
    return Parameter(name, type_, default, description, unit=unit, minimum=minimum, maximum=maximum,
                     exclusive_minimum=exclusive_minimum, fact_id=fact_id,
                     fact_field="value" if fact_id else None, explorer=explorer)  # fmt: skip


# Both simulations (the pricing population and the survival Monte Carlo) start from the same seed.
SEED = number_parameter("seed", int, 2026, "seed of the random number generator", "", "pricing_seed", maximum=2**32 - 1)
