"""One streaming pass over a landing file: SHA-256, size, UTF-8 validity and blank lines.

DuckDB's CSV reader skips blank lines without a trace, yet feeds.md numbers rows as a
spreadsheet does (blank rows count). Recording the blank lines here, in the pass that
hashes the file anyway, lets the set-based reader restore the spreadsheet row numbers.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
PARALLEL_BYTES = 64 * 1024 * 1024  # below this, starting worker processes costs more


@dataclass(frozen=True)
class FileScan:
    sha256: str
    size: int
    utf8_error: str | None = None  # why the file is not valid UTF-8, None when it is
    has_quote: bool = False  # a '"' byte occurs: a quoted cell may span lines
    newline: str | None = None  # "\n" or "\r\n" when every line ends so, None when mixed
    blank_lines: tuple[int, ...] = field(default=())  # 1-based numbers of empty lines


def hash_file(path: Path) -> FileScan:
    """SHA-256 and size only (XLSX files and files of other extensions)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return FileScan(digest.hexdigest(), size)


def scan_text_file(path: Path) -> FileScan:
    """Hash a CSV file, check it is UTF-8 and list its empty lines.

    Every byte is hashed; the other passes are skipped where they cannot find anything:
    no UTF-8 decoding of pure-ASCII chunks, no CRLF search in a file without '\r', and
    lines are only counted where a later line number or the line-end check needs them.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = lines_before = crlf = 0  # lines_before: newlines before the current buffer
    blanks: list[int] = []
    utf8_error = None
    has_quote = has_cr = False
    carry = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            last = len(chunk) < CHUNK_BYTES  # a short read of a regular file is its end
            digest.update(chunk)
            size += len(chunk)
            has_quote = has_quote or b'"' in chunk
            has_cr = has_cr or b"\r" in chunk
            if utf8_error is None and not (chunk.isascii() and not decoder.getstate()[0]):
                # error offsets count from the bytes the decoder still holds back
                start = size - len(chunk) - len(decoder.getstate()[0])
                utf8_error = _decode(decoder, chunk, final=last, offset=start)
            buffer = carry + chunk
            # Cut after the last newline so that no line straddles two buffers.
            cut = len(buffer) if last else buffer.rfind(b"\n") + 1
            complete, carry = buffer[:cut], buffer[cut:]
            blanks.extend(_blank_lines(complete, lines_before, has_cr))
            if not last or has_cr:
                lines_before += complete.count(b"\n")
            if has_cr:
                crlf += complete.count(b"\r\n")
            if last:
                break
    newline = "\r\n" if crlf == lines_before and crlf else "\n" if crlf == 0 else None
    return FileScan(digest.hexdigest(), size, utf8_error, has_quote, newline, tuple(blanks))


def _decode(decoder, chunk: bytes, final: bool, offset: int) -> str | None:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError as error:
        return f"not valid UTF-8 (byte {offset + error.start + 1})"
    return None


def _blank_lines(buffer: bytes, lines_before: int, has_cr: bool) -> list[int]:
    """Numbers of the empty lines in `buffer`, which starts at the start of a line."""
    positions = []  # offsets of the newline that ends the line before a blank one
    if buffer.startswith((b"\n", b"\r\n")):
        positions.append(-1)
    for pattern in (b"\n\n", b"\n\r\n") if has_cr else (b"\n\n",):
        found = buffer.find(pattern)
        while found != -1:
            positions.append(found)
            found = buffer.find(pattern, found + 1)
    numbers = []
    line, counted_to = lines_before, 0
    for position in sorted(positions):
        line += buffer.count(b"\n", counted_to, position + 1)
        counted_to = position + 1
        numbers.append(line + 1)
    return numbers


def scan_files(paths: list[Path]) -> list[FileScan]:
    """Scan many files: CSV files fully, others hashed; in worker processes when large.

    Hashing and line scanning hold the GIL, so threads would not help. The workers are
    plain `python -m ingest.scan` subprocesses, not multiprocessing: that would re-run
    the caller's main module, or fork a process that may hold DuckDB's threads.
    """
    total = sum(p.stat().st_size for p in paths)
    workers = min(os.cpu_count() or 1, 4)
    if total < PARALLEL_BYTES or workers < 2:
        return [_scan(path) for path in paths]
    shares: list[list[int]] = [[] for _ in range(workers)]
    for index in range(len(paths)):
        shares[index % workers].append(index)
    running = [
        (share, subprocess.Popen([sys.executable, "-m", "ingest.scan"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True))
        for share in shares if share
    ]
    for share, worker in running:  # every worker gets its paths before any is waited on
        worker.stdin.write("\n".join(str(paths[i]) for i in share))
        worker.stdin.close()
    scans: list[FileScan | None] = [None] * len(paths)
    for share, worker in running:
        out = worker.stdout.read()
        worker.wait()
        if worker.returncode != 0:
            raise RuntimeError(f"scan worker failed (exit {worker.returncode})")
        for index, line in zip(share, out.splitlines(), strict=True):
            fields = json.loads(line)
            scans[index] = FileScan(**{**fields, "blank_lines": tuple(fields["blank_lines"])})
    return scans  # type: ignore[return-value]


def _scan(path: Path) -> FileScan:
    return scan_text_file(path) if path.suffix.lower() == ".csv" else hash_file(path)


if __name__ == "__main__":  # a worker of scan_files: paths on stdin, one JSON line each
    # All scans first, then the output: a full pipe never stalls the scanning.
    found = [asdict(_scan(Path(name))) for name in sys.stdin.read().splitlines()]
    sys.stdout.write("".join(json.dumps(scan) + "\n" for scan in found))
