"""Token ledger engine: metrics.md's burn-down as ledger entries (docs/ledger.md).

Pure Python on exact `decimal.Decimal`, no I/O: the dbt Python model `int_ledger_entries`
feeds it staging rows and writes what it returns.
"""

from .burndown import Ledger, build_ledger, run_ledger
from .model import ENTRY_COLUMNS, ENTRY_TYPES, WARNING_CODES, Entry, Event, Pack

__all__ = [
    "ENTRY_COLUMNS",
    "ENTRY_TYPES",
    "WARNING_CODES",
    "Entry",
    "Event",
    "Ledger",
    "Pack",
    "build_ledger",
    "run_ledger",
]
