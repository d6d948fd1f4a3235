"""Hostile landing files (issue 10): nothing valid is lost, a bad file is rejected with a
reason naming it, and no file stops the night. Each test failed before its fix."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
from openpyxl import Workbook

import ingest.scan as scan
from tests.ingest.helpers import Landing
from tests.privileges import python_without_dac_override

HEADER = "team,day_used,product_name,tokens_used,autodesk_id\n"


def _rows(team: str, days: range) -> str:
    return "".join(f"{team},2026-01-{day:02d},Revit,1,U{day}\n" for day in days)


def test_a_file_ending_inside_a_quoted_cell_counts_its_broken_row_in_a_batch(tmp_path):
    # Four files with the same header share the load batch of the broken one.
    landing = Landing(tmp_path)
    for number in range(4):
        landing.write(f"usage/f{number}.csv", HEADER + _rows(f"T{number}", range(1, 6)))
    landing.write("usage/z.csv", HEADER + _rows("Acme", range(1, 2)) + 'Acme,2026-01-02,"Rev')

    landing.ingest()

    assert landing.files()["usage/z.csv"][:4] == ("loaded", 2, 1, 1)
    assert landing.rejected("usage") == [("usage/z.csv", 3, "expected 5 cells, found 3")]
    assert landing.query("select count(*) from raw.usage") == [(21,)]


def test_a_quote_left_open_in_the_last_cell_is_a_malformed_row_not_a_value(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/z.csv", HEADER + _rows("Acme", range(1, 2)) + 'Acme,2026-01-02,Revit,7,"U')

    landing.ingest()

    assert landing.rejected("usage") == [
        ("usage/z.csv", 3, "malformed CSV row: the file ends inside a quoted cell")]
    assert landing.query("select autodesk_id from raw.usage") == [("U1",)]


@pytest.mark.parametrize("companions", [0, 4])
def test_excel_macintosh_csv_with_cr_line_ends_and_quoted_cells_loads_every_row(
        tmp_path, companions):
    landing = Landing(tmp_path)
    quoted = ",".join(f'"{cell}"' for cell in HEADER.strip().split(","))
    rows = [",".join(f'"{cell}"' for cell in line.split(","))
            for line in _rows("Acme", range(1, 21)).splitlines()]
    landing.write("usage/mac.csv", ("\r".join([quoted, *rows]) + "\r").encode())
    for number in range(companions):
        landing.write(f"usage/other{number}.csv", HEADER + _rows(f"T{number}", range(1, 3)))

    landing.ingest()

    assert landing.files()["usage/mac.csv"][:4] == ("loaded", 20, 20, 0)
    assert landing.query("select min(_row_number), max(_row_number) from raw.usage "
                         "where _source_path = 'usage/mac.csv'") == [(2, 21)]


def _truncated_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["team", "day_used", "product_name", "tokens_used", "email"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()[:-200]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("random.xlsx", b"\x8f\x12 not a workbook", "BadZipFile: File is not a zip file"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),  # an .xls renamed
     "BadZipFile: File is not a zip file"),
    ("cut.xlsx", _truncated_workbook(), "BadZipFile"),
])
def test_a_corrupt_workbook_is_rejected_by_name_and_the_rest_loads(tmp_path, name, data, reason):
    landing = Landing(tmp_path)
    landing.write(f"usage/{name}", data)
    landing.write("usage/ok.csv", HEADER + _rows("Acme", range(1, 3)))

    landing.ingest()

    files = landing.files()
    status, _, _, _, message = files[f"usage/{name}"]
    assert status == "rejected"
    assert message.startswith(f"usage/{name}: not a readable XLSX workbook ({reason}")
    assert files["usage/ok.csv"][:3] == ("loaded", 2, 2)


def test_an_excel_lock_file_is_ignored_with_its_reason(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/~$export.xlsx", b"\x05Admin" + bytes(150))

    landing.ingest()
    landing.ingest()  # recorded once

    assert landing.files()["usage/~$export.xlsx"] == (
        "ignored", 0, 0, 0, "usage/~$export.xlsx: Excel lock file of an open workbook "
                            "(~$ prefix)")
    assert landing.query("select count(*) from audit.ingested_files") == [(1,)]


def test_a_date_out_of_range_is_rejected_at_ingest(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/a.csv", HEADER + "Acme,0000-01-01,Revit,1,U1\n"
                  "Acme,3000-01-01T10:00:00+02:00,Revit,1,U1\nAcme,2999-12-31,Revit,1,U1\n")

    landing.ingest()

    assert landing.rejected("usage") == [
        ("usage/a.csv", 2, "day_used: out of range (1900-01-01 to 2999-12-31): '0000-01-01'"),
        ("usage/a.csv", 3, "day_used: out of range (1900-01-01 to 2999-12-31): "
                           "'3000-01-01T10:00:00+02:00'"),
    ]


def test_tokens_of_a_feed_never_add_up_to_ten_to_the_fifteen(tmp_path):
    # Each value is below 10^15 (feeds.md), but two of them would overflow every sum of the
    # marts: from the row that reaches the limit on, valid rows are rejected.
    landing = Landing(tmp_path)
    landing.write("usage/a.csv", HEADER + "Acme,2026-01-01,Revit,600000000000000,U1\n")
    landing.ingest()
    landing.write("usage/b.csv", HEADER + "Acme,2026-01-02,Revit,399999999999999.999,U1\n"
                                          "Acme,2026-01-02,Revit,0.001,U2\n")

    landing.ingest()

    assert landing.rejected("usage") == [("usage/b.csv", 3, "tokens_used: out of range: "
                                          "the tokens of the feed would add up to 10^15 or more")]
    assert landing.query("select sum(tokens_used)::varchar from raw.usage") == [
        ("999999999999999.999",)]


def test_an_unreadable_file_or_folder_is_rejected_by_name(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/a.csv", HEADER + _rows("Acme", range(1, 2)))
    secret = landing.write("usage/secret.csv", HEADER + _rows("Acme", range(2, 3)))
    (landing.landing / "usage" / "sub").mkdir()
    secret.chmod(0)
    (landing.landing / "usage" / "sub").chmod(0)
    try:
        python_without_dac_override(
            "from pathlib import Path; from tests.ingest.helpers import Landing; "
            f"Landing(Path({str(tmp_path)!r})).ingest()", check=True)
    finally:
        secret.chmod(0o644)
        (landing.landing / "usage" / "sub").chmod(0o755)

    files = landing.files()
    assert files["usage/secret.csv"] == (
        "rejected", 0, 0, 0, "usage/secret.csv: cannot be read: Permission denied")
    assert files["usage/sub"] == (
        "rejected", 0, 0, 0, "usage/sub: folder cannot be read: Permission denied")
    assert files["usage/a.csv"][:3] == ("loaded", 1, 1)

    landing.ingest()  # readable now: judged again, loaded

    assert landing.files()["usage/secret.csv"][:3] == ("loaded", 1, 1)


def test_a_file_rewritten_while_it_is_ingested_gives_one_consistent_version(
        tmp_path, monkeypatch):
    import ingest.pipeline as pipeline

    landing = Landing(tmp_path)
    first = HEADER + _rows("Acme", range(1, 3))
    second = HEADER + _rows("Acme", range(5, 9))
    path = landing.write("usage/a.csv", first)
    real_header = pipeline.read_csv_header

    def rewrite_then_read(source):  # the sender rewrites the file after it was hashed
        path.write_text(second)
        return real_header(source)

    monkeypatch.setattr(pipeline, "read_csv_header", rewrite_then_read)
    landing.ingest()
    monkeypatch.undo()

    sha = hashlib.sha256(first.encode()).hexdigest()
    assert landing.files()["usage/a.csv"][:3] == ("loaded", 2, 2)
    assert landing.query("select distinct _file_sha256 from raw.usage") == [(sha,)]
    assert (landing.archive / "usage" / f"{sha}.csv").read_text() == first

    landing.ingest()  # the rewritten bytes are a new delivery, not a duplicate

    assert landing.query("select count(*) from raw.usage") == [(6,)]


def test_a_file_growing_while_it_is_read_is_left_for_the_next_run(tmp_path, monkeypatch):
    landing = Landing(tmp_path)
    path = landing.write("usage/a.csv", HEADER + _rows("Acme", range(1, 3)))
    real_read = scan._Copy.read

    def read_while_appending(self):
        chunk = real_read(self)
        if chunk:
            with path.open("a") as handle:
                handle.write("Acme,2026-01-03,Revit,1,U3\n")
        return chunk

    monkeypatch.setattr(scan._Copy, "read", read_while_appending)
    landing.ingest()
    monkeypatch.undo()

    assert landing.files() == {}
    assert not list(landing.archive.rglob("*.csv"))  # no snapshot left behind

    landing.ingest()

    assert landing.files()["usage/a.csv"][:3] == ("loaded", 3, 3)


def test_links_and_special_files_are_recorded_and_never_followed(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(HEADER + _rows("Secret", range(1, 2)))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.csv").write_text(HEADER + _rows("Secret", range(1, 2)))
    landing = Landing(tmp_path)
    usage = landing.landing / "usage"
    usage.mkdir(parents=True)
    (usage / "link.csv").symlink_to(outside)
    (usage / "dangling.csv").symlink_to(tmp_path / "missing.csv")
    (usage / "folder").symlink_to(tmp_path / "outside")
    os.mkfifo(usage / "pipe.csv")  # reading it would block the run

    landing.ingest()

    files = landing.files()
    assert {path: (status, message) for path, (status, *_, message) in files.items()} == {
        "usage/dangling.csv": ("ignored", "usage/dangling.csv: symbolic link, not followed"),
        "usage/folder": ("ignored", "usage/folder: symbolic link, not followed"),
        "usage/link.csv": ("ignored", "usage/link.csv: symbolic link, not followed"),
        "usage/pipe.csv": ("ignored", "usage/pipe.csv: not a regular file"),
    }
    assert landing.query("select count(*) from raw.usage") == [(0,)]


def test_a_file_name_with_a_line_break_is_scanned_by_the_worker_processes(
        tmp_path, monkeypatch):
    monkeypatch.setattr(scan, "PARALLEL_BYTES", 0)  # the workers, on a small input
    landing = Landing(tmp_path)
    landing.write("usage/two\nlines.csv", HEADER + _rows("Acme", range(1, 3)))
    landing.write("usage/b.csv", HEADER + _rows("Acme", range(3, 5)))

    landing.ingest()

    assert landing.files()["usage/two\nlines.csv"][:3] == ("loaded", 2, 2)


def test_xlsx_zip_with_a_missing_part_is_rejected(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    landing = Landing(tmp_path)
    landing.write("usage/hollow.xlsx", buffer.getvalue())

    landing.ingest()

    assert landing.files()["usage/hollow.xlsx"][0] == "rejected"


def test_a_copy_of_a_file_whose_batch_failed_is_not_left_a_duplicate(tmp_path, monkeypatch):
    import ingest.pipeline as pipeline

    landing = Landing(tmp_path)
    content = HEADER + _rows("Acme", range(1, 3))
    landing.write("usage/a.csv", content)
    landing.write("usage/b.csv", content)
    monkeypatch.setattr(pipeline, "load_parsed", lambda *args: 1 / 0)  # a full disk, say
    with pytest.raises(ZeroDivisionError):
        landing.ingest()
    monkeypatch.undo()
    (landing.landing / "usage" / "a.csv").unlink()

    landing.ingest()

    assert landing.files() == {"usage/b.csv": ("loaded", 2, 2, 0, None)}
