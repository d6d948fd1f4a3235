"""One streaming pass over a landing file: a private snapshot, SHA-256, size, UTF-8 validity,
line ends and blank lines.

Every later step reads the snapshot, not the landing file: a file rewritten while it is
ingested cannot give a hash, rows and an archive copy that disagree. The snapshot becomes
the archive copy of a loaded file (a rename); a file that changed while it was copied is
left for the next run.

DuckDB's CSV reader skips blank lines without a trace, yet feeds.md numbers rows as a
spreadsheet does (blank rows count). Recording the blank lines here, in the pass that
hashes the file anyway, lets the set-based reader restore the spreadsheet row numbers.
"""

from __future__ import annotations

import codecs
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
PARALLEL_BYTES = 64 * 1024 * 1024  # below this, starting worker processes costs more


@dataclass(frozen=True)
class FileScan:
    sha256: str  # '' when the file could not be read
    size: int
    modified_ns: int | None = None  # mtime of the bytes read; None when not read
    snapshot: str | None = None  # the private copy every later step reads
    read_error: str | None = None  # why the file could not be read
    changed: bool = False  # the file changed while it was read: judged by the next run
    utf8_error: str | None = None  # why the file is not valid UTF-8, None when it is
    has_quote: bool = False  # a '"' byte occurs: a quoted cell may span lines
    # "\n" or "\r\n" when every line ends so; None when mixed or with a lone "\r"
    # (Excel's "CSV (Macintosh)"), which only the row-by-row reader takes
    newline: str | None = None
    lines: int = 0  # lines of the file, the last one counted without its line end
    blank_lines: tuple[int, ...] = field(default=())  # 1-based numbers of empty lines


class Unreadable(Exception):
    """The landing file cannot be read (its permissions, an I/O error)."""


class _Copy:
    """Reads a file chunk by chunk while writing its snapshot; notices a change under it.

    Errors reading the landing file are Unreadable (the file is rejected by name); errors
    writing the snapshot are the data folder's and stop the run.
    """

    def __init__(self, path: Path, snapshot: Path | None):
        self.path, self.snapshot = path, snapshot
        self.target = None

    def __enter__(self):
        try:
            self.source = self.path.open("rb")
            self.before = os.fstat(self.source.fileno())
        except OSError as error:
            raise Unreadable(error.strerror or str(error)) from error
        if self.snapshot is not None:
            try:
                self.target = self.snapshot.open("xb")
            except BaseException:
                self.source.close()
                raise
        return self

    def read(self) -> bytes:
        try:
            chunk = self.source.read(CHUNK_BYTES)
        except OSError as error:
            raise Unreadable(error.strerror or str(error)) from error
        if self.target is not None:
            self.target.write(chunk)
        return chunk

    def changed(self, size: int) -> bool:
        after = os.stat(self.path)
        return (size != after.st_size or self.before.st_mtime_ns != after.st_mtime_ns
                or self.before.st_size != after.st_size)

    def __exit__(self, *exc) -> None:
        self.source.close()
        if self.target is not None:
            self.target.close()


def _unreadable(path: Path, reason: str) -> FileScan:
    try:
        size = path.lstat().st_size
    except OSError:
        size = 0
    return FileScan("", size, read_error=f"cannot be read: {reason}")


def hash_file(path: Path, snapshot: Path | None) -> FileScan:
    """SHA-256 and size only (XLSX files, and files of other extensions without a
    snapshot: they are recorded, never read)."""
    digest = hashlib.sha256()
    size = 0
    with _Copy(path, snapshot) as copy:
        while chunk := copy.read():
            digest.update(chunk)
            size += len(chunk)
        changed = copy.changed(size)
    return FileScan(digest.hexdigest(), size, copy.before.st_mtime_ns,
                    snapshot and str(snapshot), changed=changed)


def scan_text_file(path: Path, snapshot: Path) -> FileScan:
    """Hash a CSV file, check it is UTF-8, find its line ends and list its empty lines.

    Every byte is hashed; the other passes are skipped where they cannot find anything:
    no UTF-8 decoding of pure-ASCII chunks, no CRLF search in a file without '\r'.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = lines_before = crlf = cr = 0  # lines_before: newlines before the current buffer
    blanks: list[int] = []
    utf8_error = None
    has_quote = has_cr = False
    carry = last_byte = b""
    with _Copy(path, snapshot) as copy:
        while True:
            chunk = copy.read()
            last = len(chunk) < CHUNK_BYTES  # a short read of a regular file is its end
            digest.update(chunk)
            size += len(chunk)
            last_byte = chunk[-1:] or last_byte
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
            lines_before += complete.count(b"\n")
            if has_cr:
                crlf += complete.count(b"\r\n")
                cr += complete.count(b"\r")
            if last:
                break
        changed = copy.changed(size)
    lines = lines_before + (1 if size and last_byte != b"\n" else 0)
    if cr > crlf:
        newline = None  # a lone '\r' ends lines (or sits in a cell): the row reader decides
    else:
        newline = "\r\n" if crlf == lines_before and crlf else "\n" if crlf == 0 else None
    return FileScan(digest.hexdigest(), size, copy.before.st_mtime_ns, str(snapshot),
                    changed=changed, utf8_error=utf8_error, has_quote=has_quote,
                    newline=newline, lines=lines, blank_lines=tuple(blanks))


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


def scan_files(paths: list[Path], snapshots: list[Path | None]) -> list[FileScan]:
    """Scan many files into their snapshots: CSV files fully, others hashed; in worker
    processes when large (hashing and line scanning hold the GIL: threads would not help).
    """
    total = sum(_size(p) for p in paths)
    workers = min(os.cpu_count() or 1, 4)
    if total < PARALLEL_BYTES or workers < 2:
        return [scan(path, snapshot) for path, snapshot in zip(paths, snapshots, strict=True)]
    # spawn: a fork of a process with DuckDB and Dagster threads running can deadlock.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(scan, paths, snapshots))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def scan(path: Path, snapshot: Path | None) -> FileScan:
    """The scan of one file; a file that cannot be read gives its reason, not an error."""
    try:
        if path.suffix.lower() == ".csv" and snapshot is not None:
            return scan_text_file(path, snapshot)
        return hash_file(path, snapshot)
    except Unreadable as error:
        if snapshot is not None:
            snapshot.unlink(missing_ok=True)
        return _unreadable(path, str(error))
