"""The day loop: purchases, burn-down order, unallocated use, expiry, as_of cut-off.

Every expected row is worked out by hand in the comment above it.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from ledger import Event, Pack, build_ledger
from ledger.arrow import SCHEMA, entries_table

from .helpers import (
    adjust,
    alloc,
    d,
    expiry,
    move,
    pack,
    purchase,
    remaining,
    rows,
    unalloc,
    use,
)

# The spec README's worked example. S0 was bought in 2025; 150 used on 2025-06-01 leave
# it the README's 50 tokens on 2026-01-01.
EXAMPLE_PACKS = [
    pack("S0", "Acme", 200, "2025-02-01", "2026-01-31"),
    pack("S1", "Acme", 1000, "2026-01-01", "2026-12-31"),
    pack("S2", "Acme", 500, "2026-03-01", "2027-02-28"),
]
EXAMPLE_USE = use(
    ("Acme", "2025-06-01", "150"),
    ("Acme", "2026-01-10", "7"),  # u1, AutoCAD
    ("Acme", "2026-03-05", "17"),  # u1 Revit 10 + u2 AutoCAD 7: one team-day
)


def test_worked_example_number_for_number():
    # 7 on 01-10 from S0 (end 2026-01-31 is the earliest); S0 ends with 50 - 7 = 43, lost
    # on 2026-02-01; the 17 of 03-05 from S1 (end 2026-12-31 before S2's 2027-02-28).
    assert rows(EXAMPLE_PACKS, [], EXAMPLE_USE, "2026-03-31") == [
        purchase("Acme", "2025-02-01", "S0", "200"),
        alloc("Acme", "2025-06-01", "S0", "150"),
        purchase("Acme", "2026-01-01", "S1", "1000"),
        alloc("Acme", "2026-01-10", "S0", "7"),
        expiry("Acme", "2026-02-01", "S0", "-43"),
        purchase("Acme", "2026-03-01", "S2", "500"),
        alloc("Acme", "2026-03-05", "S1", "17"),
    ]
    # As of 2026-03-31: S1 1000 - 17 = 983, S2 untouched 500 (available 1,483); S0 expired.
    assert remaining(EXAMPLE_PACKS, [], EXAMPLE_USE, "2026-03-31") == {
        "S0": "0", "S1": "983", "S2": "500",
    }  # fmt: skip


def test_same_end_date_draws_the_smaller_pack_first():
    # Same end: S9 (50 seats) before S1 (100), although "S1" < "S9". 60 = S9's 50 + 10.
    packs = [pack("S1", "T", 100, "2026-01-01", "2026-06-30"),
             pack("S9", "T", 50, "2026-01-01", "2026-06-30")]  # fmt: skip
    assert rows(packs, [], use(("T", "2026-02-01", "60")), "2026-03-31")[2:] == [
        alloc("T", "2026-02-01", "S9", "50"),
        alloc("T", "2026-02-01", "S1", "10"),
    ]


def test_same_end_and_size_draws_the_smaller_id_as_text():
    # Same end, same size: "S10" < "S9" in text order (not as numbers), so S10 gives 30.
    packs = [pack("S9", "T", 100, "2026-01-01", "2026-06-30"),
             pack("S10", "T", 100, "2026-01-01", "2026-06-30")]  # fmt: skip
    assert rows(packs, [], use(("T", "2026-02-01", "30")), "2026-03-31") == [
        purchase("T", "2026-01-01", "S10", "100"),  # purchases in id order too
        purchase("T", "2026-01-01", "S9", "100"),
        alloc("T", "2026-02-01", "S10", "30"),
    ]


def test_consumption_beyond_the_balance_and_without_any_pack_is_unallocated():
    # 01-05: no pack yet, all 4 unallocated. 02-01: 25 wanted, P gives its 10, 15 short.
    # 02-02: P is empty, the 0.5 is unallocated. 02-03: a 0-token day writes nothing.
    packs = [pack("P", "T", 10, "2026-02-01", "2026-12-31")]
    usage = use(("T", "2026-01-05", "4"), ("T", "2026-02-01", "25"),
                ("T", "2026-02-02", "0.5"), ("T", "2026-02-03", "0"))  # fmt: skip
    assert rows(packs, [], usage, "2026-03-31") == [
        unalloc("T", "2026-01-05", "4"),
        purchase("T", "2026-02-01", "P", "10"),
        alloc("T", "2026-02-01", "P", "10"),
        unalloc("T", "2026-02-01", "15"),
        unalloc("T", "2026-02-02", "0.5"),
    ]


def test_a_team_with_packs_and_no_usage_has_only_purchase_and_expiry():
    # Idle's pack is never drawn: all 40 expire the day after 2026-01-31. A 0-seat pack
    # writes no purchase (no token event of 0) and no expiry.
    packs = [pack("I1", "Idle", 40, "2026-01-01", "2026-01-31"),
             pack("I0", "Idle", 0, "2026-01-01", "2026-01-31")]  # fmt: skip
    assert rows(packs, [], {}, "2026-03-31") == [
        purchase("Idle", "2026-01-01", "I1", "40"),
        expiry("Idle", "2026-02-01", "I1", "-40"),
    ]


def test_expiry_on_a_month_end_a_leap_day_and_at_as_of():
    # M ends 2026-01-31 -> expiry 2026-02-01; L ends 2028-02-29 -> 2028-03-01; A ends the
    # day before as_of -> expiry dated as_of; N ends on as_of: active all of as_of, its
    # expiry (2028-04-01) is after as_of, so it keeps its 7.
    packs = [pack("M", "T", 5, "2026-01-01", "2026-01-31"),
             pack("L", "T", 6, "2027-03-01", "2028-02-29"),
             pack("A", "T", 8, "2028-03-01", "2028-03-30"),
             pack("N", "T", 7, "2028-03-01", "2028-03-31")]  # fmt: skip
    assert rows(packs, [], {}, "2028-03-31") == [
        purchase("T", "2026-01-01", "M", "5"),
        expiry("T", "2026-02-01", "M", "-5"),
        purchase("T", "2027-03-01", "L", "6"),
        expiry("T", "2028-03-01", "L", "-6"),  # written at the end of 02-29, before 03-01
        purchase("T", "2028-03-01", "A", "8"),
        purchase("T", "2028-03-01", "N", "7"),
        expiry("T", "2028-03-31", "A", "-8"),
    ]
    assert remaining(packs, [], {}, "2028-03-31") == {"A": "0", "L": "0", "M": "0", "N": "7"}


def test_a_pack_is_usable_on_its_start_and_end_days():
    # 3 on the start day and 4 on the end day come from P; 10 - 7 = 3 expire on 02-01.
    packs = [pack("P", "T", 10, "2026-01-01", "2026-01-31")]
    usage = use(("T", "2026-01-01", "3"), ("T", "2026-01-31", "4"))
    assert rows(packs, [], usage, "2026-03-31") == [
        purchase("T", "2026-01-01", "P", "10"),
        alloc("T", "2026-01-01", "P", "3"),
        alloc("T", "2026-01-31", "P", "4"),
        expiry("T", "2026-02-01", "P", "-3"),
    ]


def test_data_after_as_of_is_ignored():
    # as_of 2026-03-31: U starts 04-01 (upcoming: no purchase); P ends after as_of (no
    # expiry); the move, adjustment and use dated 04-01 are ignored. Left: P's 100 - 10.
    packs = [pack("P", "T", 100, "2026-01-01", "2026-12-31"),
             pack("U", "T", 50, "2026-04-01", "2027-03-31")]  # fmt: skip
    events = [move("E1", "2026-04-01", "P", "Other"), adjust("E2", "2026-04-01", "P", "-5")]
    usage = use(("T", "2026-03-31", "10"), ("T", "2026-04-01", "20"))
    assert rows(packs, events, usage, "2026-03-31") == [
        purchase("T", "2026-01-01", "P", "100"),
        alloc("T", "2026-03-31", "P", "10"),
    ]
    assert remaining(packs, events, usage, "2026-03-31") == {"P": "90", "U": "0"}


def test_consumption_given_as_rows_is_summed_per_team_and_day():
    # Two rows of (T, 02-01): 2.5 + 1.25 = 3.75 from P in one allocation.
    packs = [pack("P", "T", 10, "2026-01-01", "2026-12-31")]
    usage = [("T", d("2026-02-01"), Decimal("2.5")), ("T", d("2026-02-01"), Decimal("1.25"))]
    assert rows(packs, [], usage, "2026-03-31")[1:] == [alloc("T", "2026-02-01", "P", "3.75")]


def test_same_input_in_any_order_gives_the_same_entries():
    # Shuffled packs, events and usage rows: entries and entry_seq are identical.
    packs = EXAMPLE_PACKS + [pack("B1", "Beta", 30, "2026-01-01", "2026-06-30")]
    events = [move("E2", "2026-02-01", "B1", "Acme"), adjust("E1", "2026-02-01", "S1", "5"),
              move("E3", "2026-02-01", "S1", "Beta")]  # fmt: skip
    usage = [(team, day, tokens) for (team, day), tokens in EXAMPLE_USE.items()]
    usage += [("Beta", d("2026-03-05"), Decimal("4"))]
    first = build_ledger(packs, events, usage, d("2026-03-31"))
    assert build_ledger(packs, events, usage, d("2026-03-31")) == first
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(packs)
        rng.shuffle(events)
        rng.shuffle(usage)
        assert build_ledger(packs, events, usage, d("2026-03-31")) == first


def test_entries_table_has_the_contract_types_even_when_empty():
    table = entries_table(build_ledger([], [], {}, d("2026-03-31")))
    assert table.num_rows == 0 and table.schema == SCHEMA
    assert str(SCHEMA.field("tokens").type) == "decimal128(18, 3)"
    table = entries_table(build_ledger(EXAMPLE_PACKS, [], EXAMPLE_USE, d("2026-03-31")))
    assert table.column("tokens").to_pylist()[4] == Decimal("-43.000")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Pack("P", "T", -1, date(2026, 1, 1), date(2026, 2, 1)),
        lambda: Pack("P", "T", 1, date(2026, 2, 1), date(2026, 1, 1)),
        lambda: Event("E", date(2026, 1, 1), "refund", "P"),
        lambda: Event("E", date(2026, 1, 1), "move", "P"),  # no to_team
        lambda: build_ledger([pack("P", "T", 1, "2026-01-01", "2026-02-01")] * 2, [], {},
                             date(2026, 3, 1)),
    ],
    ids=["negative seats", "end before start", "unknown type", "move without to_team",
         "pack twice"],
)
def test_input_that_ingest_and_staging_rule_out_is_refused(make):
    with pytest.raises(ValueError):
        make()
