"""One source of figures: an :class:`AgreementResult` as one model every rendering reads.

The model lives in ``services.reporting.figures`` and its breaches' table in
``services.reporting.breach_tables`` (publishing a revision keeps it, and services
may not import this layer); the CLI, the spreadsheets and the CSV import it from here.
"""

from __future__ import annotations

from servicelevel.services.reporting.breach_tables import Exclusion, all_breach_rows
from servicelevel.services.reporting.figures import (
    SCHEMA,
    Figures,
    distribution_rows,
    figures,
    target_row,
)

__all__ = [
    "SCHEMA",
    "Exclusion",
    "Figures",
    "all_breach_rows",
    "distribution_rows",
    "figures",
    "target_row",
]
