"""File-level rules of feeds.md: discovery, order, duplicates, whole-file rejections,
encodings, XLSX sheets, blank rows and row numbers, archive and lineage."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from openpyxl import Workbook

from tests.ingest.helpers import Landing

HEADER = "team,day_used,product_name,tokens_used,autodesk_id\n"


def test_missing_required_columns_reject_the_file_naming_file_feed_and_columns(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/old.csv", "team,product,user_id\nAcme,Revit,U1\nAcme,Maya,U2\n")

    landing.ingest()

    status, read, loaded, rejected, message = landing.files()["usage/old.csv"]
    assert (status, read, loaded, rejected) == ("rejected", 2, 0, 2)
    assert message == ("usage/old.csv: missing required columns of feed usage (header): "
                       "day_used, tokens_used")
    assert landing.query("select count(*) from raw.usage") == [(0,)]
    assert landing.rejected("usage") == []  # explained by the file's message alone


def test_users_need_one_identity_column(tmp_path):
    landing = Landing(tmp_path)
    landing.write("users/u.csv", "team,first_name\nAcme,Ann\n")

    landing.ingest()

    assert landing.files()["users/u.csv"][4] == (
        "users/u.csv: missing required columns of feed users (header): autodesk_id or email")


def test_file_that_is_not_utf8_is_rejected_whole(tmp_path):
    landing = Landing(tmp_path)
    latin1 = (HEADER + "Bäckerei,2026-01-10,Revit,10,U1\n").encode("latin-1")
    landing.write("usage/latin1.csv", latin1)
    landing.write("usage/copy-of-latin1.csv", latin1)

    landing.ingest()

    files = landing.files()
    assert files["usage/latin1.csv"] == (
        # the header is 51 bytes, "B" byte 52, the Latin-1 "ä" byte 53
        "rejected", 0, 0, 0, "usage/latin1.csv: not valid UTF-8 (byte 53)")
    # a copy of a rejected file is judged again, not skipped as a duplicate
    assert files["usage/copy-of-latin1.csv"][0] == "rejected"


def test_utf8_bom_and_accents(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/bom.csv", b"\xef\xbb\xbf" + (HEADER + "Bäckerei,2026-01-10,Revit,10,U1\n")
                  .encode("utf-8"))

    landing.ingest()

    assert landing.query("select team from raw.usage") == [("Bäckerei",)]


def test_ambiguous_header_is_rejected_naming_both_cells(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/both.csv", "team_alias,Team,day_used,product_name,tokens_used,email\n"
                                    "A,A,2026-01-10,Revit,1,a@b.c\n")

    landing.ingest()

    assert landing.files()["usage/both.csv"][4] == (
        "usage/both.csv: ambiguous header: 'team_alias' and 'Team' both name column team")


def test_same_bytes_under_two_names_load_once(tmp_path):
    landing = Landing(tmp_path)
    content = HEADER + "Acme,2026-01-10,Revit,10,U1\n"
    landing.write("usage/2026-01-10.csv", content)
    landing.write("usage/again/export (1).csv", content)

    landing.ingest()
    landing.write("usage/later-copy.csv", content)
    landing.ingest()

    files = landing.files()
    assert files["usage/2026-01-10.csv"][:4] == ("loaded", 1, 1, 0)
    assert files["usage/again/export (1).csv"][:4] == ("duplicate", 0, 0, 0)
    assert files["usage/later-copy.csv"][:4] == ("duplicate", 0, 0, 0)
    assert landing.query("select count(*) from raw.usage") == [(1,)]


def test_a_second_run_records_nothing_already_seen(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/a.csv", HEADER + "Acme,2026-01-10,Revit,10,U1\n")
    landing.write("usage/readme.txt", "not a feed file")
    landing.ingest()

    results = landing.ingest()

    assert results["usage"].files == []
    assert landing.query("select count(*) from audit.ingested_files") == [(2,)]


def test_extensions_any_case_others_ignored(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/UPPER.CSV", HEADER + "Acme,2026-01-10,Revit,10,U1\n")
    landing.write("usage/notes.txt", "hello")
    landing.write("token_events/events.xlsx", b"not really a workbook")

    landing.ingest()

    files = landing.files()
    assert files["usage/UPPER.CSV"][:3] == ("loaded", 1, 1)
    assert files["usage/notes.txt"] == ("ignored", 0, 0, 0, None)
    assert files["token_events/events.xlsx"][0] == "ignored"  # token_events is CSV only
    assert landing.query("select size from audit.ingested_files where path = 'usage/notes.txt'") \
        == [(5,)]


def test_empty_blank_and_header_only_files_load_zero_rows(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/empty.csv", "")
    landing.write("usage/blank.csv", "\n\n  \n")
    landing.write("usage/header-only.csv", HEADER)

    landing.ingest()

    files = landing.files()
    for name in ("empty", "blank", "header-only"):
        assert files[f"usage/{name}.csv"][:4] == ("loaded", 0, 0, 0)


def test_blank_rows_are_skipped_but_count_in_row_numbers(tmp_path):
    landing = Landing(tmp_path)
    text = (HEADER + "\n"  # row 2 blank
            + "Acme,2026-01-10,Revit,10,U1\n"  # row 3
            + ",,,,\n"  # row 4 blank cells
            + "   \n"  # row 5 white space
            + "Acme,2026-01-11,Revit,x,U1\n"  # row 6 rejected
            + "Acme,2026-01-12,Revit,10\n"  # row 7 wrong number of cells
            + "Acme,2026-01-13,Revit,10,U1\n")  # row 8
    landing.write("usage/lf.csv", text)
    landing.write("usage/crlf.csv", text.replace("Acme", "Beta"), newline="\r\n")

    landing.ingest()

    for name, team in (("lf", "Acme"), ("crlf", "Beta")):
        assert landing.query(
            "select _row_number from raw.usage where team = ? order by 1", [team]
        ) == [(3,), (8,)]
        assert [r[1:] for r in landing.rejected("usage") if r[0] == f"usage/{name}.csv"] == [
            (6, "tokens_used: not a number: 'x'"), (7, "expected 5 cells, found 4"),
        ]
        assert landing.files()[f"usage/{name}.csv"][:4] == ("loaded", 4, 2, 2)


def test_quoted_cells_spanning_lines_keep_spreadsheet_row_numbers(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/multi.csv", HEADER
                  + 'Acme,2026-01-10,"Revit\nStructure",10,U1\n'  # row 2, lines 2-3
                  + 'Acme,2026-01-11,"A, B",x,U1\n'  # row 3
                  + "Acme,2026-01-12,Maya,1,U1\n")  # row 4

    landing.ingest()

    assert landing.query("select _row_number, product_name from raw.usage order by 1") == [
        (2, "Revit\nStructure"), (4, "Maya"),
    ]
    assert landing.rejected("usage") == [("usage/multi.csv", 3, "tokens_used: not a number: 'x'")]


def test_delivery_order_is_code_point_order_of_the_path_in_the_feed(tmp_path):
    landing = Landing(tmp_path)
    for name in ("2026-01.csv", "2026-01-fix.csv", "a/z.csv", "B.csv"):
        landing.write(f"usage/{name}", HEADER + f"Acme,2026-01-10,{name},1,U1\n")

    landing.ingest()
    landing.write("usage/0-late.csv", HEADER + "Acme,2026-01-10,late,1,U1\n")
    landing.ingest()

    assert landing.query("select product_name from raw.usage order by _file_seq") == [
        ("2026-01-fix.csv",), ("2026-01.csv",), ("B.csv",), ("a/z.csv",), ("late",),
    ]


def test_archive_copy_lineage_and_extra_columns(tmp_path):
    landing = Landing(tmp_path)
    content = "Team,Day used,Product,Tokens used,Email,Seat type\nAcme,2026-01-10,Revit,7,a@b.c,x\n"
    path = landing.write("usage/nested/deep/a.csv", content)
    before = path.stat().st_mtime_ns

    landing.ingest()

    sha = hashlib.sha256(content.encode()).hexdigest()
    assert (landing.archive / "usage" / f"{sha}.csv").read_text() == content
    assert path.read_text() == content and path.stat().st_mtime_ns == before
    (row,) = landing.query(
        "select _file_sha256, _source_path, _row_number, _extra, _file_seq from raw.usage")
    assert row[:3] == (sha, "usage/nested/deep/a.csv", 2)
    assert json.loads(row[3]) == {"Seat type": "x"}


def _workbook(path, sheets: dict[str, list[list]]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def test_xlsx_data_sheet_after_a_parameters_sheet(tmp_path):
    landing = Landing(tmp_path)
    (landing.landing / "usage").mkdir(parents=True)
    _workbook(landing.landing / "usage" / "export.xlsx", {
        "Parameters": [["Report", "Token usage"], ["Date range", "2026-01-01 - 2026-01-31"],
                       ["Team", "Acme"]],
        "Usage": [
            [], [],  # the header is the first non-empty row: row 3
            ["Team", "Day used", "Product", "Version", "Tokens used", "Email"],
            ["Acme", dt.datetime(2026, 1, 10, 9, 30), "Revit", 2026, 7, "a@b.c"],
            [None, None, None, None, None, None],
            ["Acme", dt.date(2026, 1, 11), "AutoCAD", "2025", 140.5, "b@b.c"],
            ["Acme", "2026-01-12", "Maya", 2026, 1.2345, "c@b.c"],
        ],
    })

    landing.ingest()

    assert landing.query(
        "select _row_number, day_used, product_name, version, tokens_used from raw.usage "
        "order by 1") == [
        (4, dt.date(2026, 1, 10), "Revit", "2026", Decimal("7")),
        (6, dt.date(2026, 1, 11), "AutoCAD", "2025", Decimal("140.5")),
    ]
    assert landing.rejected("usage") == [
        ("usage/export.xlsx", 7, "tokens_used: more than 3 decimals: '1.2345'")]
    assert landing.files()["usage/export.xlsx"][:4] == ("loaded", 3, 2, 1)


def test_xlsx_without_a_matching_sheet_names_what_the_first_sheet_misses(tmp_path):
    landing = Landing(tmp_path)
    (landing.landing / "usage").mkdir(parents=True)
    _workbook(landing.landing / "usage" / "x.xlsx", {
        "Parameters": [["Report", "Token usage"]],
        "Data": [["Team", "Product"], ["Acme", "Revit"]],
    })

    landing.ingest()

    assert landing.files()["usage/x.xlsx"][0] == "rejected"
    assert landing.files()["usage/x.xlsx"][4] == (
        "usage/x.xlsx: missing required columns of feed usage (first sheet): "
        "team, day_used, product_name, tokens_used")


def test_files_recorded_unchanged_are_not_read_again(tmp_path, monkeypatch):
    import os

    import ingest.pipeline as pipeline

    landing = Landing(tmp_path)
    first = landing.write("usage/a.csv", HEADER + "Acme,2026-01-10,Revit,10,U1\n")
    landing.write("usage/b.csv", HEADER + "Acme,2026-01-11,Revit,10,U1\n")
    landing.ingest()
    scanned = []
    real_scan = pipeline.scan_files
    monkeypatch.setattr(pipeline, "scan_files",
                        lambda paths, copies: scanned.extend(p.name for p in paths)
                        or real_scan(paths, copies))

    landing.ingest()  # nothing changed: nothing read
    os.utime(first, ns=(1, 1))  # same bytes, another mtime: read, known, not recorded again
    landing.ingest()

    assert scanned == ["a.csv"]
    assert landing.query("select count(*) from audit.ingested_files") == [(2,)]
