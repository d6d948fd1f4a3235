"""Scanning many files in worker processes gives what scanning them one by one gives."""

from __future__ import annotations

import dataclasses

import ingest.scan as scan


def test_worker_processes_agree_with_the_scan_in_process(tmp_path, monkeypatch):
    paths = []
    for number in range(9):
        path = tmp_path / f"f{number}.{'csv' if number % 3 else 'xlsx'}"
        path.write_bytes(b"h\n" + b"\n" * number + "é,\r\n".encode() * number)
        paths.append(path)
    monkeypatch.setattr(scan, "PARALLEL_BYTES", 0)  # force the workers on a small input
    in_workers = scan.scan_files(paths, [tmp_path / f"w{n}" for n in range(9)])
    in_process = [scan.scan(path, tmp_path / f"p{n}") for n, path in enumerate(paths)]

    def without_snapshot(found):
        return dataclasses.replace(found, snapshot=None)

    assert list(map(without_snapshot, in_workers)) == list(map(without_snapshot, in_process))
    for number, path in enumerate(paths):  # each snapshot holds the bytes that were scanned
        assert (tmp_path / f"w{number}").read_bytes() == path.read_bytes()
