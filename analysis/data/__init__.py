"""Load the report's data tables and validate them against a declared schema.

Every table in ``data/`` is declared here once: its columns, their types, which are
required, which refer to another table. :func:`load_dataset` reads every table, checks
every row, and raises one :class:`DataValidationError` listing every problem (file,
line, row id, column, value and what is allowed) before anything is computed from it.
"""

# The package's API: import from here (``from analysis.data import load_dataset``).
from analysis.data.loading import (
    Dataset,
    load_dataset,
)
from analysis.data.ranges import (
    MIDPOINT_RULES,
    WIDE_RANGE_RATIO,
    MidpointRule,
    central_value,
    fact_range,
    range_midpoint,
)
from analysis.data.schema import (
    CONTROL_CHARACTERS,
    SCHEMAS,
    UNITS,
    Column,
    ColumnKind,
    DataValidationError,
    RowCheck,
    TableSchema,
)

__all__ = [
    "CONTROL_CHARACTERS",
    "Column",
    "ColumnKind",
    "DataValidationError",
    "Dataset",
    "MIDPOINT_RULES",
    "MidpointRule",
    "RowCheck",
    "SCHEMAS",
    "TableSchema",
    "UNITS",
    "WIDE_RANGE_RATIO",
    "central_value",
    "fact_range",
    "load_dataset",
    "range_midpoint",
]
