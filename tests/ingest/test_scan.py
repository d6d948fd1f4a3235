"""The streaming scan gives the same answers whatever the chunk size (lines, blank lines
and multi-byte characters cut across chunks)."""

from __future__ import annotations

import hashlib

import pytest

import ingest.scan as scan

CASES = [
    # bytes, expected (utf8_error, newline, lines, blank lines), worked out by hand
    (b"a\n\nb\n", (None, "\n", 3, (2,))),
    (b"\n\na\r\n\r\nb\n\n", (None, None, 6, (1, 2, 4, 6))),  # LF and CRLF mixed
    (b"a\r\nb\r\n\r\n", (None, "\r\n", 3, (3,))),
    (b"a\n\n\n", (None, "\n", 3, (2, 3))),
    (b"", (None, "\n", 0, ())),
    (b"\xc3\xa4\n\n\xe2\x82\xac\n", (None, "\n", 3, (2,))),  # a-umlaut, euro sign
    (b"ok\n\xff\n", ("not valid UTF-8 (byte 4)", "\n", 2, ())),
    (b"x\xc3", ("not valid UTF-8 (byte 2)", "\n", 1, ())),  # cut short at the end
    (b"a\rb\r", (None, None, 1, ())),  # Excel's "CSV (Macintosh)": for the row reader
    (b"a\r\nb\r\n\"c\rd\"\r\n", (None, None, 3, ())),  # a lone CR in a cell, too
    (b"h\nlast", (None, "\n", 2, ())),  # the last line without its line end
]


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 7, 8 * 1024 * 1024])
@pytest.mark.parametrize(("data", "expected"), CASES)
def test_scan_is_independent_of_chunk_size(tmp_path, monkeypatch, chunk_bytes, data, expected):
    monkeypatch.setattr(scan, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "f.csv"
    path.write_bytes(data)

    found = scan.scan_text_file(path, tmp_path / "snapshot")

    assert (found.utf8_error, found.newline, found.lines, found.blank_lines) == expected
    assert (found.sha256, found.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert (tmp_path / "snapshot").read_bytes() == data
