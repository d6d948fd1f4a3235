"""Scanning many files in worker processes gives what scanning them one by one gives."""

from __future__ import annotations

import ingest.scan as scan


def test_worker_processes_agree_with_the_scan_in_process(tmp_path, monkeypatch):
    paths = []
    for number in range(9):
        path = tmp_path / f"f{number}.{'csv' if number % 3 else 'xlsx'}"
        path.write_bytes(b"h\n" + b"\n" * number + "é,\r\n".encode() * number)
        paths.append(path)
    monkeypatch.setattr(scan, "PARALLEL_BYTES", 0)  # force the workers on a small input

    assert scan.scan_files(paths) == [scan._scan(path) for path in paths]
