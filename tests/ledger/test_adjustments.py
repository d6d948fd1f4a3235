"""Adjustments: added, removed down to zero at most, applied only on active days, before
the day's consumption and in event_id order. Expected rows worked out by hand."""

from __future__ import annotations

from .helpers import (
    adjust,
    alloc,
    event,
    expiry,
    move,
    pack,
    purchase,
    remaining,
    rows,
    transfer,
    use,
    warning,
)


def adjustment(team, day, sid, tokens, source):
    return event(team, day, sid, tokens, "adjustment", None, source)


def test_a_positive_and_an_over_large_negative_adjustment():
    # 100 - 40 used = 60; A1 +25 -> 85; A2 -100 removes the 85 it holds (event -85) and
    # the 15 it could not remove are the shortfall warning. The pack is left with 0.
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-12-31")]
    events = [adjust("A1", "2026-02-01", "P", "25"), adjust("A2", "2026-03-01", "P", "-100")]
    usage = use(("Acme", "2026-01-15", "40"))
    assert rows(packs, events, usage, "2026-03-31") == [
        purchase("Acme", "2026-01-01", "P", "100"),
        alloc("Acme", "2026-01-15", "P", "40"),
        adjustment("Acme", "2026-02-01", "P", "25", "A1"),
        adjustment("Acme", "2026-03-01", "P", "-85", "A2"),
        warning("adjustment_shortfall", "Acme", "2026-03-01", "P", "A2", "15"),
    ]
    assert remaining(packs, events, usage, "2026-03-31") == {"P": "0"}


def test_adjustments_apply_in_event_id_text_order_before_the_days_use():
    # P holds 5. "A10" < "A2" as text: A10 (-8) first removes the 5 (shortfall 3), then A2
    # adds 5, and the day's use of 5 is covered by them (numeric order would have given
    # 5 + 5 - 8 = 2 and no shortfall). A removal of nothing writes no event row: A3 (-1)
    # on the now empty pack is all shortfall.
    packs = [pack("P", "Acme", 5, "2026-01-01", "2026-12-31")]
    events = [adjust("A2", "2026-02-01", "P", "5"), adjust("A10", "2026-02-01", "P", "-8"),
              adjust("A3", "2026-02-02", "P", "-1")]  # fmt: skip
    usage = use(("Acme", "2026-02-01", "5"))
    assert rows(packs, events, usage, "2026-03-31")[1:] == [
        adjustment("Acme", "2026-02-01", "P", "-5", "A10"),
        warning("adjustment_shortfall", "Acme", "2026-02-01", "P", "A10", "3"),
        adjustment("Acme", "2026-02-01", "P", "5", "A2"),
        alloc("Acme", "2026-02-01", "P", "5"),
        warning("adjustment_shortfall", "Acme", "2026-02-02", "P", "A3", "1"),
    ]


def test_an_adjustment_outside_the_packs_active_days_is_a_warning_not_applied():
    # Active 2026-01-01..2026-06-30: B1 the day before and B2 the day after are warnings
    # carrying their amount; B3 on the end day applies (+1), so 101 expire on 07-01 (the
    # expiry, written at the end of 06-30, comes before B2's warning). An unknown pack's
    # adjustment (B4) names no team.
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-06-30")]
    events = [adjust("B1", "2025-12-31", "P", "10"), adjust("B2", "2026-07-01", "P", "-5"),
              adjust("B3", "2026-06-30", "P", "1"), adjust("B4", "2026-06-30", "NOPE", "2")]
    assert rows(packs, events, {}, "2026-07-31") == [
        warning("adjustment_outside_pack_days", "Acme", "2025-12-31", "P", "B1", "10"),
        purchase("Acme", "2026-01-01", "P", "100"),
        adjustment("Acme", "2026-06-30", "P", "1", "B3"),
        warning("unknown_pack", None, "2026-06-30", "NOPE", "B4", "2"),
        expiry("Acme", "2026-07-01", "P", "-101"),
        warning("adjustment_outside_pack_days", "Acme", "2026-07-01", "P", "B2", "-5"),
    ]


def test_an_adjustment_goes_to_the_team_holding_the_pack_after_the_days_moves():
    # The move on 02-01 comes first (transfers before adjustments): Beta gets the +7.
    packs = [pack("P", "Acme", 10, "2026-01-01", "2026-12-31")]
    events = [adjust("A1", "2026-02-01", "P", "7"), move("M9", "2026-02-01", "P", "Beta")]
    assert rows(packs, events, {}, "2026-03-31")[1:] == [
        transfer("Beta", "2026-02-01", "P", "10", "move", "Acme", "M9"),
        event("Acme", "2026-02-01", "P", "-10", "move_out", "Beta", "M9"),
        event("Beta", "2026-02-01", "P", "10", "move_in", "Acme", "M9"),
        adjustment("Beta", "2026-02-01", "P", "7", "A1"),
    ]
