"""--dirty for usage: bad rows slipped into otherwise valid usage CSV files.

Each bad row copies a valid row of the same file and breaks exactly one rule of feeds.md,
so the file still loads and only that row is rejected.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable

import numpy as np

from .usage_files import CANONICAL_COLUMNS, UsageFile
from .writers import BOM

# kind -> the reason label written to the tally ("<column>: <problem>").
USAGE_KINDS = {
    "not_a_number": "tokens_used: not a number",
    "negative": "tokens_used: negative",
    "decimals": "tokens_used: more than 3 decimals",
    "bad_date": "day_used: not a date",
    "no_team": "team: missing",
    "no_product": "product_name: missing",
    "no_day": "day_used: missing",
    "no_identity": "user: no identity",
    "cells": "row: wrong number of cells",
}
PER_KIND = 2
IDENTITY = ("autodesk_id", "hashed_autodesk_id", "email")


def canonical_columns(header: list[str]) -> dict[str, int]:
    """Position of each canonical usage column in a header the generator wrote."""
    return {CANONICAL_COLUMNS[h]: i for i, h in enumerate(header) if h in CANONICAL_COLUMNS}


def plan(files: list[UsageFile], rng: np.random.Generator
         ) -> tuple[dict[int, Callable[[bytes], bytes]], Counter]:
    """Which CSV files get which bad rows; spread over the files, hence over the styles."""
    kinds = [k for k in USAGE_KINDS for _ in range(PER_KIND)]
    targets = [i for i, f in enumerate(files) if not f.xlsx]
    n = min(len(targets), 6)
    chosen = [targets[int(j)] for j in np.linspace(0, len(targets) - 1, n).round()]
    corruptors = {}
    for j, index in enumerate(chosen):
        mine = kinds[j::n]
        seed = int(rng.integers(2**32))
        corruptors[index] = lambda data, mine=mine, seed=seed: corrupt(data, mine, seed)
    return corruptors, Counter(USAGE_KINDS[k] for k in kinds)


def corrupt(data: bytes, kinds: list[str], seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    bom = data.startswith(BOM)
    text = data[len(BOM):].decode() if bom else data.decode()
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)[:-1]  # the file ends with a line end
    header = next(csv.reader([lines[0]]))
    at = canonical_columns(header)
    rows = [next(csv.reader([line])) for line in lines[1:]]
    template = next(r for r in rows if float(r[at["tokens_used"]]) > 0)
    for kind in kinds:
        bad = _break(list(template), kind, at)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=eol).writerow(bad)
        lines.insert(int(rng.integers(1, len(lines) + 1)), buffer.getvalue()[: -len(eol)])
    out = eol.join(lines) + eol
    return (BOM if bom else b"") + out.encode()


def _break(row: list[str], kind: str, at: dict[str, int]) -> list[str]:
    tokens = row[at["tokens_used"]]
    if kind == "not_a_number":
        row[at["tokens_used"]] = "abc"
    elif kind == "negative":
        row[at["tokens_used"]] = f"-{tokens}"
    elif kind == "decimals":
        row[at["tokens_used"]] = f"{tokens.split('.')[0]}.1234"
    elif kind == "bad_date":
        row[at["day_used"]] = f"31/02/{row[at['day_used']][:4]}"
    elif kind == "no_team":
        row[at["team"]] = ""
    elif kind == "no_product":
        row[at["product_name"]] = ""
    elif kind == "no_day":
        row[at["day_used"]] = ""
    elif kind == "no_identity":
        for column in IDENTITY:
            if column in at:
                row[at[column]] = ""
    else:  # "cells": two cells short, e.g. `expected 9 cells, found 7`
        row = row[:-2]
    return row
