"""What a parameter and a chapter are: type, default, allowed range, unit, provenance; the error a bad value gets."""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # matched whole, with fullmatch


def bounded_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, without building the full repr of a huge value.

    Examples
    --------
    >>> bounded_repr("abc")
    "'abc'"
    >>> bounded_repr(list(range(1000)))
    '[0, 1, 2, 3, 4, 5, ...]'
    >>> bounded_repr(10**500)
    '1000000000000000000000000000...0000000000000000000000000000 (an integer of 501 digits)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 200:
        digits = len(str(abs(value))) if abs(value).bit_length() < 14_000 else None
        count = f"{digits} digits" if digits else "more than 4,000 digits"
        text = str(value)[:28] + "..." + str(value)[-28:] if digits else "a huge integer"
        return f"{text} (an integer of {count})"
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = limit
    shortener.maxlist = shortener.maxtuple = shortener.maxdict = 6
    shortener.maxlong = limit
    text = shortener.repr(value)
    return text if len(text) <= limit + 20 else text[:limit] + "..."


class ParameterError(ValueError):
    """A chapter parameter is missing, of the wrong type, or outside what is allowed."""


@dataclass(frozen=True)
class Parameter:
    """One chapter parameter.

    ``minimum``/``maximum`` are inclusive unless ``exclusive_minimum``/``exclusive_maximum``.
    ``fact_id``/``fact_field`` name the data the default comes from; without them the
    parameter is a modelling choice of the report, described by ``description``.
    """

    name: str
    type: type
    default: Any
    description: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    fact_id: str | tuple[str, ...] | None = None
    fact_field: Literal["value", "low", "high"] | None = None
    choices: tuple[str, ...] = ()
    max_items: int = 8  # lists only: how many tiers the chapter serves
    # The chapter's in-page explorer: its slider for this parameter runs from start to stop in steps.
    explorer: tuple[float, float, float] | None = None

    def explorer_values(self) -> tuple[float, ...]:
        """The grid the explorer's slider moves over (start to stop by step), each value allowed.

        Examples
        --------
        >>> Parameter("s", float, 1.0, "a scale", minimum=0.5, maximum=1.5, explorer=(0.5, 1.5, 0.25)).explorer_values()
        (0.5, 0.75, 1.0, 1.25, 1.5)
        """
        if self.explorer is None:
            return ()
        start, stop, step = self.explorer
        count = int(round((stop - start) / step)) + 1
        return tuple(self.check(round(start + i * step, 9)) for i in range(count))

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """The facts behind the default: one for a number, one per element for a list."""
        if self.fact_id is None:
            return ()
        return (self.fact_id,) if isinstance(self.fact_id, str) else tuple(self.fact_id)

    def allowed(self) -> str:
        """What is allowed, in words: 'a number > 0 and <= 1'."""
        if self.type is str:
            if not self.choices:
                return "a plain name: letters, digits, '-' or '_', at most 64 characters"
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type is list:
            return f"a list of 1 to {self.max_items} numbers, each " + self._number_allowed("").strip()
        return self._number_allowed("a whole number" if self.type is int else "a number")

    def _number_allowed(self, kind: str) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '>='} {_bound(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive_maximum else '<='} {_bound(self.maximum)}")
        return kind + (" " + " and ".join(parts) if parts else "")

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to the declared type, or raise :class:`ParameterError`.

        Examples
        --------
        >>> Parameter("rate", float, 0.1, "a rate", minimum=0, maximum=1).check(1)
        1.0
        >>> Parameter("r", float, 0.1, "rate", maximum=1).check(1.5)
        Traceback (most recent call last):
        ...
        analysis.parameters.spec.ParameterError: parameter 'r' = 1.5 is not allowed: must be a number <= 1 (rate)
        """
        problem = (
            f"parameter {self.name!r} = {bounded_repr(value)} is not allowed: must be {self.allowed()} "
            f"({self.description})"
        )
        if self.type is str:
            allowed = value in self.choices if self.choices else isinstance(value, str) and PLAIN_NAME.fullmatch(value)
            if not allowed:
                raise ParameterError(problem)
            return value
        if self.type is list:
            if not isinstance(value, list | tuple) or not 1 <= len(value) <= self.max_items:
                raise ParameterError(problem)
            element = Parameter(self.name, float, 0.0, self.description, minimum=self.minimum,
                                maximum=self.maximum, exclusive_minimum=self.exclusive_minimum,
                                exclusive_maximum=self.exclusive_maximum)  # fmt: skip
            try:
                return [element.check(v) for v in value]
            except ParameterError:
                raise ParameterError(problem) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(problem)
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise ParameterError(problem) from None
        if not math.isfinite(number):  # NaN or infinite
            raise ParameterError(problem)
        if self.type is int:
            if not number.is_integer():
                raise ParameterError(problem)
            value = int(value)
        else:
            value = number + 0.0  # -0.0 is 0
        if self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value == self.minimum)):
            raise ParameterError(problem)
        if self.maximum is not None and (value > self.maximum or (self.exclusive_maximum and value == self.maximum)):
            raise ParameterError(problem)
        return value


@dataclass(frozen=True)
class Budget:
    """How much work the chapter can serve: a product of parameters that sizes its time and memory.

    ``size`` computes it from the parameters; beyond ``limit`` the chapter is refused before it runs
    (measured on a 2-core machine: at the limit it runs in ``cost``).
    """

    what: str
    formula: str
    limit: float
    cost: str
    size: Callable[[Mapping[str, Any]], float]


@dataclass(frozen=True)
class Chapter:
    """A chapter: its notebook and its parameters.

    ``ordered_pairs`` must satisfy low <= high, ``strict_pairs`` low < high; each of ``budgets``
    bounds the work the parameters ask of the chapter together.
    """

    name: str
    notebook: str
    title: str
    parameters: tuple[Parameter, ...]
    ordered_pairs: tuple[tuple[str, str], ...] = ()
    strict_pairs: tuple[tuple[str, str], ...] = ()
    budgets: tuple[Budget, ...] = ()
    increasing: tuple[str, ...] = ()
    same_length: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


def _bound(value: float) -> str:
    """A range's end as a person would type it on the command line: whole numbers in full, others as %g.

    Examples
    --------
    >>> _bound(4294967295), _bound(2e6), _bound(0.5), _bound(1e-9)
    ('4294967295', '2000000', '0.5', '1e-09')
    """
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"
