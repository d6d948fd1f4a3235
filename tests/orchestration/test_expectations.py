"""The Great Expectations suites on hand-made frames: which rule fails, on how many rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from orchestration.expectations import SUITES, validate

AS_OF = date(2026, 3, 31)
USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id",
                 "hashed_autodesk_id", "email", "_file_sha256", "_row_number")


def frame(columns: tuple[str, ...], rows: list[tuple]) -> pd.DataFrame:
    data = pd.DataFrame(rows, columns=list(columns))
    for column in ("day_used", "event_date", "start_date", "end_date"):
        if column in data:
            data[column] = pd.to_datetime(data[column])  # as DuckDB's .df() gives dates
    return data


def failures(feed: str, data: pd.DataFrame) -> dict[str, dict[str, int | str]]:
    return {o.rule.check: o.failures for o in validate(feed, data, AS_OF) if not o.passed}


def test_clean_usage_rows_pass_every_rule():
    data = frame(USAGE_COLUMNS, [
        ("Acme", "2026-03-31", "AutoCAD", "2026", 7.0, "U1", None, None, "a", 2),
        ("Acme", "2026-03-30", "Revit", "", 0.0, None, "H1", None, "a", 3),
        ("Beta", "2026-03-30", "Revit", "", 1.5, None, None, "b@x", "b", 2),
    ])
    assert failures("usage", data) == {}


def test_usage_rules_each_catch_their_row():
    data = frame(USAGE_COLUMNS, [
        ("Acme", "2026-03-01", "AutoCAD", "2026", 7.0, "U1", None, None, "a", 2),  # good
        ("Acme", "2026-03-01", "AutoCAD", "2026", -1.0, "U1", None, None, "a", 3),  # negative
        ("Acme", "2026-03-01", "AutoCAD", "2026", 1.0, None, None, None, "a", 4),  # no identity
        ("Acme", "2026-04-01", "AutoCAD", "2026", 1.0, "U1", None, None, "a", 5),  # future
        ("Acme", "2026-03-01", "AutoCAD", None, 1.0, "U1", None, None, "a", 5),  # NULL version,
    ])                                                                       # row 5 twice
    assert failures("usage", data) == {
        "required_columns_present": {"ExpectColumnValuesToNotBeNull(version)": 1},
        "tokens_used_not_negative": {"ExpectColumnValuesToBeBetween(tokens_used)": 1},
        "user_identity_present": {
            "ExpectColumnValuesToNotBeNull(autodesk_id) when hashed_autodesk_id null"
            " when email null": 1
        },
        "day_used_not_after_as_of": {"ExpectColumnValuesToBeBetween(day_used)": 1},
        "lineage_valid": {
            "ExpectCompoundColumnsToBeUnique(_file_sha256, _row_number)": 2
        },
    }


def test_token_event_rules_follow_the_event_type():
    columns = ("event_id", "event_date", "event_type", "subscription_id", "from_team",
               "to_team", "tokens", "_file_sha256", "_row_number")
    data = frame(columns, [
        ("E1", "2026-01-01", "move", "S1", None, "Beta", None, "f", 2),  # good move
        ("E2", "2026-01-01", "merge", None, "Acme", "Beta", None, "f", 3),  # good merge
        ("E3", "2026-01-01", "adjustment", "S1", None, None, -5.0, "f", 4),  # good
        ("E4", "2026-01-01", "move", "S1", None, None, None, "f", 5),  # move, no to_team
        ("E5", "2026-01-01", "adjustment", "S1", None, None, 0.0, "f", 6),  # 0 tokens
        ("E6", "2026-01-01", "refund", None, None, None, None, "f", 7),  # unknown type
        ("E1", "2026-01-02", "move", "S2", None, "Acme", None, "f", 8),  # E1 twice in a file
    ])
    assert failures("token_events", data) == {
        "event_type_known": {"ExpectColumnValuesToBeInSet(event_type)": 1},
        "event_values_present": {
            "ExpectColumnValuesToNotBeNull(to_team) when event_type move": 1,
            "ExpectColumnValuesToNotBeInSet(tokens)": 1,
        },
        "event_id_unique_per_file": {
            "ExpectCompoundColumnsToBeUnique(_file_sha256, event_id)": 2
        },
    }


def test_subscription_dates_and_quantities():
    columns = ("subscription_id", "team", "offering_name", "seat_quantity", "start_date",
               "end_date", "_file_sha256", "_row_number")
    data = frame(columns, [
        ("S1", "Acme", "Flex", 100, "2026-01-01", None, "f", 2),  # no end date: fine
        ("S2", "Acme", "Flex", 100, "2026-01-01", "2026-01-01", "f", 3),  # one day: fine
        ("S3", "Acme", "Flex", -1, "2026-01-01", "2025-12-31", "f", 4),  # both wrong
    ])
    assert failures("subscriptions", data) == {
        "seat_quantity_not_negative": {"ExpectColumnValuesToBeBetween(seat_quantity)": 1},
        "end_date_not_before_start_date": {
            "ExpectColumnPairValuesAToBeGreaterThanB(end_date, start_date)": 1
        },
    }


@pytest.mark.parametrize("feed", sorted(SUITES))
def test_every_suite_passes_on_no_rows(feed):
    columns = sorted({c for rule in SUITES[feed] for e in rule.expects
                      for c in [e.kwargs.get("column"), e.kwargs.get("column_A"),
                                e.kwargs.get("column_B"), *e.kwargs.get("column_list", []),
                                *(w[0] for w in e.when)] if c})
    assert failures(feed, pd.DataFrame(columns=columns)) == {}


def test_files_are_grouped_into_batches_of_whole_files():
    from orchestration.gx_batches import file_batches

    assert file_batches([("a", 300), ("b", 300), ("c", 500)], limit=1000) == [["a", "b"], ["c"]]
    # a file larger than the limit is a batch of its own
    assert file_batches([("a", 600), ("b", 500), ("c", 2000), ("d", 1)], limit=1000) == [
        ["a"], ["b"], ["c"], ["d"]]
    assert file_batches([], limit=1000) == []


def test_a_run_validated_in_batches_adds_up_the_failures(monkeypatch, tmp_path):
    """Two files of one run, one bad row each, validated one file per batch in two worker
    processes: 2 failures."""
    import duckdb

    import orchestration.gx_batches as gx_batches
    from ingest.schema import ensure_schema

    database = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(database))
    ensure_schema(con)
    for seq, sha in ((1, "s1"), (2, "s2")):
        con.execute("insert into audit.ingested_files values "
                    "(?, 'usage', ?, ?, 10, 'loaded', 2, 2, 0, null, now(), 'run-1', null)",
                    [seq, f"usage/{sha}.csv", sha])
        con.execute(
            "insert into raw.usage (team, day_used, product_name, version, tokens_used, "
            "autodesk_id, _file_seq, _file_sha256, _source_path, _row_number, _ingested_at) "
            "values ('Acme', '2026-03-01', 'Revit', '', 7, 'U1', ?, ?, 'p', 2, now()), "
            "       (null, '2026-03-01', 'Revit', '', 7, 'U1', ?, ?, 'p', 3, now())",
            [seq, sha, seq, sha])
    con.close()
    monkeypatch.setattr(gx_batches, "BATCH_ROWS", 1)  # one batch per file

    lines = []
    with duckdb.connect(str(database), read_only=True) as con:
        outcomes, rows = gx_batches.validate_run(
            con, str(database), {"threads": "2"}, "usage", "run-1", AS_OF, lines.append)

    assert rows == 4
    assert lines == ["2 of 4 rows validated", "4 of 4 rows validated"]
    failed = {o.rule.check: o.failures for o in outcomes if not o.passed}
    assert failed == {"required_columns_present": {
        "ExpectColumnValuesToNotBeNull(team)": 2}}


def test_each_worker_gets_a_share_of_the_memory_limit():
    from orchestration.gx_batches import _share

    assert [_share("1GB", 2), _share("1500MB", 2), _share("4 GiB", 2), _share("1GB", 1)] == [
        "500MB", "750MB", "2147MB", "1000MB"]
    assert _share("80%", 2) == "80%"  # not a size: kept as it is
