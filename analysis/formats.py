"""Numbers and names as the report prints them: money, shares, counts, ranges, significant figures, lists.

The foundation of every layer: models state their results in words with these, presentation formats tables
with them. Pure functions of their arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence


def is_missing(value: object) -> bool:
    """A cell with no number: None or NaN (empty cells load as NaN), printed as '–'.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0), is_missing("x")
    (True, True, False, False)
    """
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_usd(value: float, digits: int = 2) -> str:
    """US dollars, compact: $1.5B, $15M, $300K, $20, $42.80, $0.40, $0.004.

    Examples
    --------
    >>> fmt_usd(15e6), fmt_usd(1.25e9), fmt_usd(300_000), fmt_usd(20), fmt_usd(0.4), fmt_usd(0.004)
    ('$15M', '$1.25B', '$300K', '$20', '$0.40', '$0.004')

    Below a cent, ``digits`` significant figures written out (never '$1e-06'); below a millionth, about zero:

    >>> fmt_usd(0.00456), fmt_usd(1e-6), fmt_usd(-2.5e-5), fmt_usd(5.9e-179)
    ('$0.0046', '$0.000001', '-$0.000025', '≈$0')
    """
    if is_missing(value):
        return "–"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            return f"{sign}${_trim(value / size, digits)}{suffix}"
    if value >= 1 and float(value).is_integer():
        return f"{sign}${value:,.0f}"
    if value >= 0.01:
        return f"{sign}${value:,.2f}"
    if value == 0:
        return "$0"
    if value < 1e-6:
        return "≈$0"
    decimals = max(digits, 1) - 1 - math.floor(math.log10(value))
    return f"{sign}${_trim(value, decimals)}"


def _trim(number: float, digits: int) -> str:
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def fmt_share(value: float, digits: int = 0) -> str:
    """A share as a percentage: 0.6 -> '60%'.

    Examples
    --------
    >>> fmt_share(0.6), fmt_share(0.00874, 2)
    ('60%', '0.87%')

    A negative share that rounds to zero prints without its sign, as the explorers' d3 formats print it:

    >>> fmt_share(-0.0016), fmt_share(-0.0016, 1), fmt_share(-0.0, 1)
    ('0%', '-0.2%', '0.0%')
    """
    if is_missing(value):
        return "–"
    text = f"{value * 100:.{digits}f}"
    return (text.removeprefix("-") if set(text) <= set("-0.") else text) + "%"


def fmt_number(value: float, digits: int = 1) -> str:
    """A plain number with thousands separators and trailing zeros trimmed.

    Examples
    --------
    >>> fmt_number(4.372), fmt_number(12000, 0), fmt_number(-0.04, 1)
    ('4.4', '12,000', '0')
    """
    if is_missing(value):
        return "–"
    text = f"{value:,.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.removeprefix("-") if text in ("-0", "-0.0") or set(text) <= set("-0.,") else text


def fmt_usd_approx(value: float) -> str:
    """US dollars to about three significant figures, cents only below $10: '$142', '$7.82K', '$4.50'.

    Examples
    --------
    >>> fmt_usd_approx(142.2), fmt_usd_approx(37.34), fmt_usd_approx(608.53), fmt_usd_approx(-823.97)
    ('$142', '$37', '$609', '-$824')
    >>> fmt_usd_approx(7817.4), fmt_usd_approx(4.5), fmt_usd_approx(1_500_000)
    ('$7.82K', '$4.50', '$1.5M')
    """
    if is_missing(value):
        return "–"
    if 10 <= abs(value) < 1000:
        return ("-" if value < 0 else "") + f"${abs(value):,.0f}"
    return fmt_usd(float(f"{value:.3g}"), digits=2)


def fmt_share_bounded(value: float, digits: int = 1) -> str:
    """A probability or share that never prints a positive value as zero: '<0.1%' below half the last digit.

    Examples
    --------
    >>> fmt_share_bounded(0.0003), fmt_share_bounded(0.0), fmt_share_bounded(0.4554), fmt_share_bounded(0.99996)
    ('<0.1%', '0%', '45.5%', '>99.9%')
    """
    if is_missing(value):
        return "–"
    step = 10.0 ** -(digits + 2)
    if 0 < value < step / 2:
        return f"<{fmt_share(step, digits)}"
    if 1 - step / 2 < value < 1:
        return f">{fmt_share(1 - step, digits)}"
    return "0%" if value == 0 else fmt_share(value, digits)


def fmt_range(low: float, high: float, fmt: Callable[[float], str]) -> str:
    """A low-high range with one formatter: '30%–60%'; a single value when they are equal.

    Examples
    --------
    >>> fmt_range(0.3, 0.6, fmt_share), fmt_range(15e6, 15e6, fmt_usd)
    ('30%–60%', '$15M')
    """
    if low == high:
        return fmt(low)
    return f"{fmt(low)}–{fmt(high)}"


def round_significant(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures (infinite and zero values unchanged).

    Examples
    --------
    >>> round_significant(8.667, 2), round_significant(-19.23, 1), round_significant(22.98, 2)
    (8.7, -20.0, 23.0)
    """
    if figures < 1:
        raise ValueError(f"figures = {figures!r} is not allowed: must be a whole number >= 1")
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(round(value, figures - 1 - math.floor(math.log10(abs(value)))))


def fmt_significant(value: float, figures: int, unit: str = "multiple") -> str:
    """A number to ``figures`` significant figures: '8.7', '-20', '$4M', 'never' for an infinite payback.

    Examples
    --------
    >>> fmt_significant(8.667, 2), fmt_significant(-19.23, 1), fmt_significant(4_369_449, 2, "usd")
    ('8.7', '-20', '$4.4M')
    >>> fmt_significant(float("inf"), 2, "months")
    'never'
    """
    if not math.isfinite(value):
        return "never" if value > 0 else "–"
    rounded = round_significant(value, figures)
    if unit == "usd":
        return fmt_usd(rounded, digits=max(0, figures - 1))
    if unit == "count":
        return fmt_number(value, 0)
    digits = 0 if rounded == 0 else max(0, figures - 1 - math.floor(math.log10(abs(rounded))))
    return fmt_number(rounded, digits)


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'.

    Examples
    --------
    >>> join_names(["API Provider"]), join_names(["A", "B", "C"])
    ('API Provider', 'A, B and C')
    """
    names = list(names)
    if not names:
        raise ValueError("join_names needs at least one name")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def with_article(phrase: str) -> str:
    """``phrase`` after 'a' or 'an', as it is read aloud: 'an enterprise-focused challenger', 'an 85% margin'.

    Numbers take 'an' when read with a vowel first: eight..., eleven, eighteen (and their thousands).

    Examples
    --------
    >>> with_article("enterprise-focused challenger"), with_article("frontier leader"), with_article("85% margin")
    ('an enterprise-focused challenger', 'a frontier leader', 'an 85% margin')
    >>> with_article("60% margin"), with_article("11% margin"), with_article("110% margin"), with_article("-5% margin")
    ('a 60% margin', 'an 11% margin', 'a 110% margin', 'a -5% margin')
    >>> with_article("18,500 user base"), with_article("$8 price"), with_article("<1% chance")
    ('an 18,500 user base', 'an $8 price', 'a <1% chance')
    """
    head = phrase.lstrip("$")
    digits = ""
    for character in head:
        if character.isdigit():
            digits += character
        elif character != "," or not digits:
            break
    if digits:
        # 11 and 18 alone, or as the thousands, millions... of a number (11,000 is "eleven thousand").
        vowel = digits[0] == "8" or (len(digits) % 3 == 2 and digits[:2] in ("11", "18"))
    else:
        vowel = head[:1].lower() in "aeiou" and head[:1] != ""
    return f"{'an' if vowel else 'a'} {phrase}"
