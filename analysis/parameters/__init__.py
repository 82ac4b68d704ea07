"""Chapter parameters: one declaration per parameter.

Each :class:`Parameter` gives a chapter parameter its type, default, allowed range, unit,
description and provenance. A parameter whose default comes from the data names the fact
(``fact_id`` and ``fact_field``): a test checks the default equals that fact, and
:func:`apply_parameter_overrides` writes a user's value over it, so a re-run changes the
fact everywhere it is used. The same declarations check the values a notebook receives
(:func:`validate_parameters`), so a bad value fails in the first cells with a clear message.
"""

# The package's API: import from here (``from analysis.parameters import get_chapter``).
from analysis.parameters.business_models import BUSINESS_MODELS
from analysis.parameters.pricing import PRICING
from analysis.parameters.shared import (
    EDITION,
    SALES_CYCLE,
    SALES_CYCLE_ENDS,
    SEED,
    number_parameter,
    scale_parameter,
    share_parameter,
)
from analysis.parameters.spec import PLAIN_NAME, Budget, Chapter, Parameter, ParameterError, bounded_repr
from analysis.parameters.survival import SURVIVAL
from analysis.parameters.validation import (
    CHAPTERS,
    INJECTED_CELL_HEADER,
    apply_parameter_overrides,
    get_chapter,
    injected_names,
    validate_parameters,
)

__all__ = [
    "BUSINESS_MODELS",
    "Budget",
    "CHAPTERS",
    "Chapter",
    "EDITION",
    "INJECTED_CELL_HEADER",
    "PLAIN_NAME",
    "PRICING",
    "Parameter",
    "ParameterError",
    "SALES_CYCLE",
    "SALES_CYCLE_ENDS",
    "SEED",
    "SURVIVAL",
    "apply_parameter_overrides",
    "bounded_repr",
    "get_chapter",
    "injected_names",
    "number_parameter",
    "scale_parameter",
    "share_parameter",
    "validate_parameters",
]
