"""int_ledger_entries built by dbt: the spec's worked example (README) plus a move, an
adjustment and a move of a subscription that is not a token pack, through staging, the
Python model and ledger, with the contract's column types (DECIMAL tokens)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

# fmt: off
SUBSCRIPTIONS = (
    ("subscription_id", "team", "offering_name", "seat_quantity", "start_date", "end_date"),
    {1: [
        ("S0", "Acme", "Autodesk Flex", 200, "2025-02-01", "2026-01-31"),
        ("S1", "Acme", "Autodesk Flex", 1000, "2026-01-01", "2026-12-31"),
        ("S2", "Acme", "Autodesk Flex", 500, "2026-03-01", "2027-02-28"),
        ("B1", "Beta", "Flex-Tokens", 100, "2026-01-15", "2026-12-31"),
        ("C1", "Beta", "AutoCAD", 5, "2026-01-01", "2026-12-31"),  # not a token pack
    ]},
)
USAGE = (
    ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id"),
    {1: [
        # 150 used in 2025 leave S0 the README's 50 tokens on 2026-01-01
        ("Acme", "2025-06-01", "AutoCAD", "", "150", "u1"),
        ("Acme", "2026-01-10", "AutoCAD", "", "7", "u1"),
        ("Acme", "2026-03-05", "Revit", "", "10", "u1"),
        ("Acme", "2026-03-05", "AutoCAD", "", "7", "u2"),  # one team-day: 17 in all
        ("Acme", "2026-04-01", "AutoCAD", "", "9", "u1"),  # after as_of: ignored
        ("Gamma", "2026-02-03", "Maya", "", "1.5", "g1"),
        ("Gamma", "2026-02-03", "Maya", "", "1.5", "g2"),  # 3 for Gamma that day
    ]},
)
TOKEN_EVENTS = (
    ("event_id", "event_date", "event_type", "subscription_id", "from_team", "to_team",
     "tokens"),
    {1: [
        ("E1", "2026-04-01", "adjustment", "S1", None, None, "5"),  # after as_of: ignored
        ("E2", "2026-02-01", "move", "B1", "Beta", "Gamma", None),
        ("E3", "2026-02-02", "adjustment", "B1", None, None, "-5"),
        ("E4", "2026-02-02", "move", "C1", None, "Gamma", None),
    ]},
)
# fmt: on

COLUMNS = ("entry_seq, entry_type, team, day, subscription_id, tokens, event_type, "
           "counterparty_team, source_event_id, detail")


def test_ledger_entries_from_staging_with_exact_types(tmp_path, write_raw, dbt_build,
                                                      monkeypatch):  # fmt: skip
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw(warehouse, {"subscriptions": SUBSCRIPTIONS, "usage": USAGE,
                          "token_events": TOKEN_EVENTS})  # fmt: skip
    monkeypatch.setenv("FLEXWH_AS_OF", "2026-03-31")  # the var's default (dbt_project.yml)
    dbt_build(warehouse, "+int_ledger_entries")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        types = dict(con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'intermediate' and table_name = 'int_ledger_entries'"
        ).fetchall())
        rows = con.execute(
            f"select {COLUMNS} from intermediate.int_ledger_entries order by entry_seq"
        ).fetchall()

    assert types == {
        "entry_type": "VARCHAR", "team": "VARCHAR", "day": "DATE",
        "subscription_id": "VARCHAR", "tokens": "DECIMAL(18,3)", "event_type": "VARCHAR",
        "counterparty_team": "VARCHAR", "source_event_id": "VARCHAR", "entry_seq": "BIGINT",
        "detail": "VARCHAR",
    }  # fmt: skip

    def entry(seq, kind, team, day, sid, tokens, event_type=None, other=None, source=None,
              detail=None):  # fmt: skip
        amount = None if tokens is None else Decimal(tokens)
        return (seq, kind, team, date.fromisoformat(day), sid, amount, event_type, other,
                source, detail)  # fmt: skip

    # By hand, day by day. Acme is the README: 150 then 7 from S0 (earliest end), S0 loses
    # 200 - 157 = 43 the day after its end, the 17 of 03-05 come from S1 (ends before S2).
    # Beta's B1 (100) moves to Gamma on 02-01 with its 100; on 02-02 the move of C1 (not a
    # token pack) is a warning for the receiving team named, then E3 removes 5 from B1 for
    # its holder Gamma; Gamma's 3 on 02-03 come from B1. Nothing after as_of.
    assert rows == [
        entry(1, "event", "Acme", "2025-02-01", "S0", "200", "purchase"),
        entry(2, "allocation", "Acme", "2025-06-01", "S0", "150"),
        entry(3, "event", "Acme", "2026-01-01", "S1", "1000", "purchase"),
        entry(4, "allocation", "Acme", "2026-01-10", "S0", "7"),
        entry(5, "event", "Beta", "2026-01-15", "B1", "100", "purchase"),
        entry(6, "event", "Acme", "2026-02-01", "S0", "-43", "expiry"),
        entry(7, "transfer", "Gamma", "2026-02-01", "B1", "100", "move", "Beta", "E2"),
        entry(8, "event", "Beta", "2026-02-01", "B1", "-100", "move_out", "Gamma", "E2"),
        entry(9, "event", "Gamma", "2026-02-01", "B1", "100", "move_in", "Beta", "E2"),
        entry(10, "warning", "Gamma", "2026-02-02", "C1", None, "unknown_pack", None, "E4",
              "move E4: C1 is not a known token pack"),
        entry(11, "event", "Gamma", "2026-02-02", "B1", "-5", "adjustment", None, "E3"),
        entry(12, "allocation", "Gamma", "2026-02-03", "B1", "3"),
        entry(13, "event", "Acme", "2026-03-01", "S2", "500", "purchase"),
        entry(14, "allocation", "Acme", "2026-03-05", "S1", "17"),
    ]
