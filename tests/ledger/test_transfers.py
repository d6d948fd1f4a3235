"""Moves and merges: tokens carried, the receiver's burn-down, and the warnings of events
that do not apply. Expected rows are worked out by hand in the comments."""

from __future__ import annotations

from ledger import build_ledger

from .helpers import (
    alloc,
    d,
    event,
    expiry,
    merge,
    move,
    pack,
    purchase,
    remaining,
    rows,
    transfer,
    unalloc,
    use,
    warning,
)


def test_a_pack_moved_mid_life_serves_the_receiver_on_the_move_day():
    # P: 100, Acme uses 30 -> 70 carried on 03-01 (move_out -70 / move_in +70). The move
    # applies at the start of 03-01, so Beta's 20 that day come from P, and Acme's 5 find
    # no pack (unallocated). Teams consume in text order: Acme, then Beta. Left: 50.
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-12-31")]
    events = [move("E1", "2026-03-01", "P", "Beta", from_team="Acme")]
    usage = use(("Acme", "2026-02-01", "30"), ("Beta", "2026-03-01", "20"),
                ("Acme", "2026-03-01", "5"))  # fmt: skip
    assert rows(packs, events, usage, "2026-03-31") == [
        purchase("Acme", "2026-01-01", "P", "100"),
        alloc("Acme", "2026-02-01", "P", "30"),
        transfer("Beta", "2026-03-01", "P", "70", "move", "Acme", "E1"),
        event("Acme", "2026-03-01", "P", "-70", "move_out", "Beta", "E1"),
        event("Beta", "2026-03-01", "P", "70", "move_in", "Acme", "E1"),
        unalloc("Acme", "2026-03-01", "5"),
        alloc("Beta", "2026-03-01", "P", "20"),
    ]
    assert remaining(packs, events, usage, "2026-03-31") == {"P": "50"}


def test_a_pack_moved_before_its_start_buys_for_the_new_team():
    # Q moved on 02-01, before its 03-01 start: a transfer row of 0 tokens, no events,
    # then the purchase goes to Beta. R moved on its start day: Acme buys at the start of
    # the day, then the move carries all 60 (move_out/move_in).
    packs = [pack("Q", "Acme", 100, "2026-03-01", "2026-12-31"),
             pack("R", "Acme", 60, "2026-03-01", "2026-12-31")]  # fmt: skip
    events = [move("E1", "2026-02-01", "Q", "Beta"), move("E2", "2026-03-01", "R", "Beta")]
    assert rows(packs, events, {}, "2026-03-31") == [
        transfer("Beta", "2026-02-01", "Q", "0", "move", "Acme", "E1"),
        purchase("Beta", "2026-03-01", "Q", "100"),
        purchase("Acme", "2026-03-01", "R", "60"),
        transfer("Beta", "2026-03-01", "R", "60", "move", "Acme", "E2"),
        event("Acme", "2026-03-01", "R", "-60", "move_out", "Beta", "E2"),
        event("Beta", "2026-03-01", "R", "60", "move_in", "Acme", "E2"),
    ]


def test_a_merge_moves_expired_active_and_upcoming_packs_only_the_active_one_with_tokens():
    # Old holds X (expired 2025-12-31, its 10 lost on 2026-01-01), Y (active, 100) and Z
    # (starts 06-01). The merge on 03-01 transfers all three in id order; only Y carries
    # tokens (merge_out/merge_in 100). New's 30 on 03-01 come from Y; Old's 5 on 03-02
    # find no pack; Z's purchase goes to New, which holds it when 06-01 begins.
    packs = [pack("X", "Old", 10, "2025-01-01", "2025-12-31"),
             pack("Y", "Old", 100, "2026-01-01", "2026-12-31"),
             pack("Z", "Old", 50, "2026-06-01", "2027-05-31")]  # fmt: skip
    events = [merge("M1", "2026-03-01", "Old", "New")]
    usage = use(("New", "2026-03-01", "30"), ("Old", "2026-03-02", "5"))
    assert rows(packs, events, usage, "2026-06-30") == [
        purchase("Old", "2025-01-01", "X", "10"),
        expiry("Old", "2026-01-01", "X", "-10"),
        purchase("Old", "2026-01-01", "Y", "100"),
        transfer("New", "2026-03-01", "X", "0", "merge", "Old", "M1"),
        transfer("New", "2026-03-01", "Y", "100", "merge", "Old", "M1"),
        event("Old", "2026-03-01", "Y", "-100", "merge_out", "New", "M1"),
        event("New", "2026-03-01", "Y", "100", "merge_in", "Old", "M1"),
        transfer("New", "2026-03-01", "Z", "0", "merge", "Old", "M1"),
        alloc("New", "2026-03-01", "Y", "30"),
        unalloc("Old", "2026-03-02", "5"),
        purchase("New", "2026-06-01", "Z", "50"),
    ]


def test_an_empty_pack_moves_without_token_events():
    # P is drained on 02-01 (10 of 10): the move carries 0, a transfer row only.
    packs = [pack("P", "Acme", 10, "2026-01-01", "2026-12-31")]
    usage = use(("Acme", "2026-02-01", "10"))
    assert rows(packs, [move("E1", "2026-03-01", "P", "Beta")], usage, "2026-03-31")[2:] == [
        transfer("Beta", "2026-03-01", "P", "0", "move", "Acme", "E1"),
    ]


def test_moves_and_merges_that_do_not_apply_are_warnings():
    # E1: unknown pack (team: the event's from_team). E2: from_team Beta, but Acme holds P.
    # E3: P to Acme, which holds it. E4: a merge of Acme into itself (no pack named).
    # None applies: P stays with Acme and serves Acme's 5.
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-12-31")]
    events = [move("E1", "2026-02-01", "NOPE", "Beta", from_team="Acme"),
              move("E2", "2026-02-01", "P", "Gamma", from_team="Beta"),
              move("E3", "2026-02-01", "P", "Acme"),
              merge("E4", "2026-02-01", "Acme", "Acme")]  # fmt: skip
    usage = use(("Acme", "2026-02-01", "5"))
    assert rows(packs, events, usage, "2026-03-31")[1:] == [
        warning("unknown_pack", "Acme", "2026-02-01", "NOPE", "E1"),
        warning("from_team_mismatch", "Acme", "2026-02-01", "P", "E2"),
        warning("same_team", "Acme", "2026-02-01", "P", "E3"),
        warning("same_team", "Acme", "2026-02-01", None, "E4"),
        alloc("Acme", "2026-02-01", "P", "5"),
    ]


def test_the_first_transfer_that_applies_wins_the_day():
    # E1 fails (from_team mismatch) and does not count; E2 moves P to Beta (100 carried);
    # E3, a second transfer of P that day, is a warning for P's holder Beta. The next day
    # E4 applies again: Beta -> Gamma.
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-12-31")]
    events = [move("E1", "2026-02-01", "P", "Beta", from_team="Zed"),
              move("E2", "2026-02-01", "P", "Beta"),
              move("E3", "2026-02-01", "P", "Gamma", from_team="Beta"),
              move("E4", "2026-02-02", "P", "Gamma", from_team="Beta")]  # fmt: skip
    assert rows(packs, events, {}, "2026-03-31")[1:] == [
        warning("from_team_mismatch", "Acme", "2026-02-01", "P", "E1"),
        transfer("Beta", "2026-02-01", "P", "100", "move", "Acme", "E2"),
        event("Acme", "2026-02-01", "P", "-100", "move_out", "Beta", "E2"),
        event("Beta", "2026-02-01", "P", "100", "move_in", "Acme", "E2"),
        warning("second_transfer_same_day", "Beta", "2026-02-01", "P", "E3"),
        transfer("Gamma", "2026-02-02", "P", "100", "move", "Beta", "E4"),
        event("Beta", "2026-02-02", "P", "-100", "move_out", "Gamma", "E4"),
        event("Gamma", "2026-02-02", "P", "100", "move_in", "Beta", "E4"),
    ]


def test_a_merge_takes_the_packs_held_at_the_start_of_the_day():
    # Same day, event_id order: E1 moves A (Acme's) to Beta; E2 moves Q (Beta's) to Acme;
    # E3 merges Acme into Gamma. Acme held A and B at the start of the day: A was already
    # transferred (warning, for its holder Beta), B goes to Gamma; Q arrived today, so it
    # was not Acme's at the start of the day and stays with Acme.
    packs = [pack("A", "Acme", 10, "2026-01-01", "2026-12-31"),
             pack("B", "Acme", 20, "2026-01-01", "2026-12-31"),
             pack("Q", "Beta", 30, "2026-01-01", "2026-12-31")]  # fmt: skip
    events = [move("E1", "2026-02-01", "A", "Beta"), move("E2", "2026-02-01", "Q", "Acme"),
              merge("E3", "2026-02-01", "Acme", "Gamma")]  # fmt: skip
    assert rows(packs, events, {}, "2026-03-31")[3:] == [
        transfer("Beta", "2026-02-01", "A", "10", "move", "Acme", "E1"),
        event("Acme", "2026-02-01", "A", "-10", "move_out", "Beta", "E1"),
        event("Beta", "2026-02-01", "A", "10", "move_in", "Acme", "E1"),
        transfer("Acme", "2026-02-01", "Q", "30", "move", "Beta", "E2"),
        event("Beta", "2026-02-01", "Q", "-30", "move_out", "Acme", "E2"),
        event("Acme", "2026-02-01", "Q", "30", "move_in", "Beta", "E2"),
        warning("second_transfer_same_day", "Beta", "2026-02-01", "A", "E3"),
        transfer("Gamma", "2026-02-01", "B", "20", "merge", "Acme", "E3"),
        event("Acme", "2026-02-01", "B", "-20", "merge_out", "Gamma", "E3"),
        event("Gamma", "2026-02-01", "B", "20", "merge_in", "Acme", "E3"),
    ]


def test_warnings_name_the_event_the_pack_and_the_team():
    packs = [pack("P", "Acme", 100, "2026-01-01", "2026-12-31")]
    events = [move("E2", "2026-02-01", "P", "Gamma", from_team="Beta")]
    (warned,) = [e for e in build_ledger(packs, events, {}, d("2026-03-31"))
                 if e.entry_type == "warning"]  # fmt: skip
    assert warned.detail == "move E2: pack P is held by Acme, not by from_team Beta"
