"""Ledger entries as an Arrow table with the exact column types of int_ledger_entries.

Arrow, not pandas: a pandas frame would carry tokens as Python objects or floats, while
decimal128(18, 3) lands in DuckDB as DECIMAL(18,3), date32 as DATE and int64 as BIGINT.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from .model import ENTRY_COLUMNS, Entry

_TYPES = {
    "entry_type": pa.string(),
    "team": pa.string(),
    "day": pa.date32(),
    "subscription_id": pa.string(),
    "tokens": pa.decimal128(18, 3),
    "event_type": pa.string(),
    "counterparty_team": pa.string(),
    "source_event_id": pa.string(),
    "entry_seq": pa.int64(),
    "detail": pa.string(),
}
SCHEMA = pa.schema([(name, _TYPES[name]) for name in ENTRY_COLUMNS])


def entries_table(entries: Sequence[Entry]) -> pa.Table:
    return pa.table({name: [getattr(e, name) for e in entries] for name in ENTRY_COLUMNS},
                    schema=SCHEMA)  # fmt: skip
