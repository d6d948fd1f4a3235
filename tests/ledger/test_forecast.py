"""The forecast projection (insights.md), worked by hand: as_of 2026-03-31, every team
draws its burn rate from 2026-04-01 on with the burn-down order of metrics.md."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from ledger.forecast import HeldPack, PackForecast, project

AS_OF = date(2026, 3, 31)


def held(sid: str, remaining: str, start: date, end: date, seats: int = 1000,
         team: str = "Acme") -> HeldPack:
    return HeldPack(sid, team, seats, start, end, D(remaining))


def test_a_team_runs_out_before_its_pack_expires():
    # 100 tokens, 10 a day: 04-01 … 04-10 drain the pack; 04-11 finds nothing.
    forecast = project([held("P1", "100", date(2025, 6, 1), date(2026, 12, 31))],
                       {"Acme": D("10")}, AS_OF)
    assert forecast.packs == [PackForecast("P1", "Acme", D("100"), D("0"), date(2026, 4, 10))]
    assert forecast.run_out == {"Acme": date(2026, 4, 11)}
    # 100 on as_of, 10 less each day, 0 on 04-10; the zeros after it are not kept.
    assert forecast.balance == {"Acme": [(date(2026, 3, 31) + timedelta(days=i),
                                          D(100 - 10 * i)) for i in range(11)]}


def test_a_pack_expires_with_tokens_left():
    # Ends 04-05: five days of 10 drawn (it serves its own end_date), 50 expire unused.
    forecast = project([held("P1", "100", date(2025, 4, 6), date(2026, 4, 5))],
                       {"Acme": D("10")}, AS_OF)
    assert forecast.packs == [PackForecast("P1", "Acme", D("50"), D("50"), None)]
    assert forecast.run_out == {"Acme": date(2026, 4, 6)}
    # It still holds 50 on its end date, 0 the day after.
    assert forecast.balance["Acme"][-3:] == [(date(2026, 4, 4), D(60)), (date(2026, 4, 5), D(50)),
                                             (date(2026, 4, 6), D(0))]


def test_an_upcoming_pack_extends_the_cover():
    # A: 40 left, ends 06-30. B: 100 from 04-02. 20 a day.
    # 04-01: A 20 (20 left). 04-02: B starts; A ends first, so A gives 20 (empty 04-02).
    # 04-03 … 04-07: B 20 a day (empty 04-07). 04-08: nothing left: run-out.
    forecast = project([held("A", "40", date(2025, 7, 1), date(2026, 6, 30)),
                        held("B", "100", date(2026, 4, 2), date(2027, 4, 1), seats=100)],
                       {"Acme": D("20")}, AS_OF)
    assert forecast.packs == [PackForecast("A", "Acme", D("40"), D("0"), date(2026, 4, 2)),
                              PackForecast("B", "Acme", D("100"), D("0"), date(2026, 4, 7))]
    assert forecast.run_out == {"Acme": date(2026, 4, 8)}
    # 40, then 20; B's 100 arrives on 04-02 as that day's 20 is drawn: 100; 0 on 04-07.
    assert [total for _, total in forecast.balance["Acme"]] == [
        D(40), D(20), D(100), D(80), D(60), D(40), D(20), D(0)]
    without_b = project([held("A", "40", date(2025, 7, 1), date(2026, 6, 30))],
                        {"Acme": D("20")}, AS_OF)
    assert without_b.run_out == {"Acme": date(2026, 4, 3)}


def test_a_team_with_no_use_never_runs_out_and_its_tokens_expire():
    forecast = project([held("P1", "75.5", date(2025, 5, 1), date(2026, 4, 30)),
                        held("P2", "10", date(2026, 3, 1), date(2030, 2, 28))],
                       {"Acme": D("0")}, AS_OF)
    # P2 ends after the horizon (2029-03-31): what it holds then counts as expiring.
    assert forecast.packs == [PackForecast("P1", "Acme", D("0"), D("75.5"), None),
                              PackForecast("P2", "Acme", D("0"), D("10"), None)]
    assert forecast.run_out == {"Acme": None}
    # 85.5 up to P1's end date (04-30), then P2's 10 to the last day of the horizon.
    curve = forecast.balance["Acme"]
    assert curve[30] == (date(2026, 4, 30), D("85.5")) and curve[31] == (date(2026, 5, 1), D(10))
    assert len(curve) == 1097 and curve[-1] == (date(2029, 3, 31), D(10))


def test_a_team_holding_nothing_runs_out_the_next_day():
    forecast = project([], {"Acme": D("0.001")}, AS_OF)
    assert forecast.run_out == {"Acme": date(2026, 4, 1)}
    assert forecast.balance == {"Acme": [(AS_OF, D(0))]}


def test_a_pack_ending_on_as_of_expires_whole_and_an_empty_pack_has_no_empty_date():
    forecast = project([held("P0", "0", date(2025, 6, 1), date(2026, 9, 30)),
                        held("P1", "30", date(2025, 4, 1), date(2026, 3, 31)),
                        held("P2", "7", date(2025, 8, 1), date(2026, 7, 31))],
                       {"Acme": D("3.333")}, AS_OF)
    # P2 alone gives 3.333, 3.333, then 0.334 of the third day's 3.333: run-out 04-03.
    assert forecast.packs == [PackForecast("P0", "Acme", D("0"), D("0"), None),
                              PackForecast("P1", "Acme", D("0"), D("30"), None),
                              PackForecast("P2", "Acme", D("7.000"), D("0"),
                                           date(2026, 4, 3))]
    assert forecast.run_out == {"Acme": date(2026, 4, 3)}
    # P1 still counts on as_of (it ends that day), not the day after.
    assert forecast.balance["Acme"] == [(AS_OF, D("37")), (date(2026, 4, 1), D("3.667")),
                                        (date(2026, 4, 2), D("0.334")),
                                        (date(2026, 4, 3), D("0"))]


def test_teams_draw_only_from_their_own_packs():
    forecast = project([held("A1", "5", date(2025, 6, 1), date(2026, 12, 31), team="Acme"),
                        held("B1", "500", date(2025, 6, 1), date(2026, 12, 31), team="Beta")],
                       {"Acme": D("5"), "Beta": D("1")}, AS_OF)
    assert forecast.run_out["Acme"] == date(2026, 4, 2)
    # Beta: 04-01 … 12-31 is 275 days of 1: 275 used, 225 expire.
    assert forecast.packs[1] == PackForecast("B1", "Beta", D("275"), D("225"), None)
    assert forecast.run_out["Beta"] == date(2027, 1, 1)
