"""Ingest the landing folder: every new file of a feed is judged, loaded and recorded.

Files are grouped into batches of files with the same header, so that the CSV files of a
batch are read and validated in one set-based pass; each batch is committed in one
transaction together with its audit rows (a crash never leaves half a file).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.archive import archive
from ingest.cells import (
    CsvInput,
    Rejection,
    end_batch,
    finish_batch,
    load_csv_files,
    load_records,
    start_batch,
)
from ingest.discovery import LandingFile, discover
from ingest.feeds import FEEDS, Feed
from ingest.headers import FileRejected, HeaderMatch, match_header
from ingest.readers import (
    SheetRows,
    count_csv_data_rows,
    missing_columns_message,
    read_csv_header,
    read_csv_rows,
    read_xlsx_rows,
)
from ingest.registry import (
    known_files,
    loaded_hashes,
    next_file_seq,
    record_files,
    unchanged_files,
)
from ingest.results import DUPLICATE, IGNORED, LOADED, REJECTED, FeedResult, FileResult
from ingest.scan import FileScan, scan_files
from ingest.schema import ensure_schema
from ingest.validate import FILES, PARSED, load_parsed, parse_cells, token_room
from ingest.values import install_macros

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
BATCH_BYTES = 256 * 1024 * 1024  # bounds the memory of one batch's text cells


@dataclass
class Accepted:
    """A file whose header passed: its rows go to a batch."""

    landing: LandingFile
    scan: FileScan
    file_seq: int
    match: HeaderMatch
    header_row: int
    sheet: SheetRows | None = None  # XLSX rows, read already to find the sheet


@dataclass
class Batch:
    match: HeaderMatch
    newline: str | None  # line ends of its CSV files; DuckDB reads one kind per scan
    files: list[Accepted] = field(default_factory=list)
    size: int = 0


def ingest_all(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, archive_dir: Path, run_id: str,
    progress: Progress = lambda message: None,
) -> dict[str, FeedResult]:
    return {
        name: ingest_feed(con, name, landing_dir, archive_dir, run_id, progress)
        for name in FEEDS
    }


def ingest_feed(
    con: duckdb.DuckDBPyConnection, feed: str, landing_dir: Path, archive_dir: Path,
    run_id: str, progress: Progress = lambda message: None,
) -> FeedResult:
    """Ingest the new files of one feed; returns what happened to each of them."""
    definition = FEEDS[feed]
    ensure_schema(con)
    install_macros(con)
    con.execute("set enable_progress_bar = false")  # progress is ours, per batch
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    unchanged = unchanged_files(con, feed)
    entries = [f for f in discover(landing_dir, feed)
               if (f.rel_path, f.size, f.modified_ns) not in unchanged]
    archive_dir.mkdir(parents=True, exist_ok=True)
    snapshots = Path(tempfile.mkdtemp(prefix=".incoming-", dir=archive_dir))
    try:
        judged, batches = _judge_all(con, definition, entries, snapshots, archive_dir)
        result = FeedResult(feed)
        for number, batch in enumerate(batches, start=1):
            if len(batches) > 1:  # a large delivery: say how far loading is
                progress(f"batch {number}/{len(batches)}: {len(batch.files)} {feed} files, "
                         f"{batch.size / 1e6:.1f} MB")
            result.files.extend(_load_batch(con, definition, batch, archive_dir, run_id,
                                            ingested_at))
        # After the batches: a duplicate of a file whose batch failed is judged again.
        record_files(con, judged, run_id, ingested_at)
        result.files[:0] = [r for _, r in judged]
    finally:
        shutil.rmtree(snapshots, ignore_errors=True)
    return result


def _judge_all(con, feed: Feed, entries: list[LandingFile], snapshots: Path,
               archive_dir: Path) -> tuple[list[tuple[int, FileResult]], list[Batch]]:
    """Scan the new entries of a feed into snapshots and decide what each is: results to
    record now, and the batches of files to load."""
    known = known_files(con, feed.name)
    loaded = loaded_hashes(con, feed.name)
    file_seq = next_file_seq(con)
    judged: list[tuple[int, FileResult]] = []
    batches: list[Batch] = []
    readable = [f for f in entries if f.ignored is None and f.unlisted is None]
    # Files of other extensions are only hashed (they are recorded, never read).
    copies = [snapshots / f"{n:06d}{f.extension}" if f.extension in feed.extensions else None
              for n, f in enumerate(readable)]
    scans = dict(zip(map(id, readable), scan_files([f.path for f in readable], copies),
                     strict=True))
    for landing in entries:
        found = scans.get(id(landing))
        if found is not None and found.changed:
            log.warning("%s: changed while it was read; it is read again by the next run",
                        landing.rel_path)
            continue
        if (landing.rel_path, found.sha256 if found else "") in known:
            continue
        verdict, accepted = _judge(feed, landing, found, file_seq, loaded)
        if accepted is None:
            judged.append((file_seq, verdict))
            if verdict.status == LOADED:  # an empty file: valid, zero rows
                archive(found, archive_dir, feed.name)
        else:
            _add_to_batch(batches, accepted)
        if verdict.status == LOADED:
            loaded.add(verdict.sha256)
        file_seq += 1
    return judged, batches


def _judge(feed: Feed, landing: LandingFile, scan: FileScan | None, file_seq: int,
           loaded: set[str]) -> tuple[FileResult, Accepted | None]:
    """Decide what a new entry is; for a file to load, also return what its batch needs."""
    if scan is None:  # a link, a special file, a lock file or a folder: never read
        base = FileResult(feed.name, landing.rel_path, "", landing.size, IGNORED,
                          message=f"{landing.rel_path}: {landing.ignored}",
                          modified_ns=landing.modified_ns)
        if landing.unlisted:
            return replace(base, status=REJECTED, message=f"{landing.rel_path}: "
                           f"{landing.unlisted}", modified_ns=None), None
        return base, None
    base = FileResult(feed.name, landing.rel_path, scan.sha256, scan.size, LOADED,
                      modified_ns=scan.modified_ns)
    if scan.read_error:  # looked at again by every run until it can be read
        return replace(base, status=REJECTED, message=f"{landing.rel_path}: "
                       f"{scan.read_error}", modified_ns=None), None
    if landing.extension not in feed.extensions:
        return replace(base, status=IGNORED), None
    if scan.sha256 in loaded:
        return replace(base, status=DUPLICATE), None
    source = Path(scan.snapshot)
    try:
        if landing.extension == ".xlsx":
            sheet = read_xlsx_rows(source, feed)
            if sheet is None:
                return base, None
            return base, Accepted(landing, scan, file_seq, sheet.header, sheet.header_row, sheet)
        if scan.utf8_error:
            raise FileRejected(scan.utf8_error)
        header = read_csv_header(source)
        if header is None:
            return base, None
        match = match_header(feed, header[0])
        missing = match.missing(feed)
        if missing:
            raise FileRejected(missing_columns_message(feed, missing))
        return base, Accepted(landing, scan, file_seq, match, header[1])
    except FileRejected as rejection:
        readable_csv = landing.extension == ".csv" and not scan.utf8_error
        rows = count_csv_data_rows(source) if readable_csv else 0
        message = f"{landing.rel_path}: {rejection}"
        return replace(base, status=REJECTED, rows_read=rows, rows_rejected=rows,
                       message=message), None


def _add_to_batch(batches: list[Batch], accepted: Accepted) -> None:
    # Reading the header again is cheap and keeps Accepted free of header state.
    match = accepted.match
    newline = accepted.scan.newline
    for batch in batches:
        if (batch.match.cells, batch.newline) == (match.cells, newline) \
                and batch.size + accepted.scan.size <= BATCH_BYTES:
            batch.files.append(accepted)
            batch.size += accepted.scan.size
            return
    batches.append(Batch(match, newline, [accepted], accepted.scan.size))


def _load_batch(con, feed: Feed, batch: Batch, archive_dir: Path, run_id: str,
                ingested_at: datetime) -> list[FileResult]:
    keys = batch.match.row_keys()
    start_batch(con, len(keys))
    by_file = {a.scan.snapshot: a for a in batch.files}  # read from the snapshots
    fast = [CsvInput(f, a.scan, a.header_row) for f, a in by_file.items() if a.sheet is None]
    fast = [c for c in fast if not c.needs_row_reader()]
    rejections: list[Rejection] = []
    row_by_row = [f for f, a in by_file.items() if a.sheet is None and f not in
                  {c.file for c in fast}]
    if fast:
        try:
            shape_rejections, multiline = load_csv_files(con, fast, keys)
        except duckdb.Error as error:
            # DuckDB refuses some malformed files outright: read the batch row by row.
            log.warning("%s: %d files read row by row (%s)", feed.name, len(fast),
                        type(error).__name__)
            shape_rejections, multiline = [], [c.file for c in fast]
            start_batch(con, len(keys))
        rejections += shape_rejections
        row_by_row += multiline
    for file in row_by_row:
        sheet = read_csv_rows(Path(file), feed)
        rejections += load_records(con, file, sheet.records, keys, exact_width=True,
                                   malformed=sheet.malformed)
    for file, accepted in by_file.items():
        if accepted.sheet is not None:
            rejections += load_records(con, file, accepted.sheet.records, keys, exact_width=False)
    _register_files(con, batch)
    finish_batch(con, len(keys), FILES)
    parse_cells(con, feed, batch.match)
    room = token_room(con, feed)
    if room is not None:  # the batch would take the feed's tokens to 10^15: parse again
        parse_cells(con, feed, batch.match, room)
    end_batch(con)
    con.begin()
    try:
        counts = load_parsed(con, feed, run_id, ingested_at)
        _insert_rejections(con, feed, by_file, rejections, run_id)
        results = _file_results(feed, by_file, counts, rejections)
        for accepted in batch.files:  # the copies are in the archive before the commit
            archive(accepted.scan, archive_dir, feed.name)
        audit_rows = [(by_file[f].file_seq, r) for f, r in results.items()]
        record_files(con, audit_rows, run_id, ingested_at)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    con.execute(f"drop table if exists {FILES}; drop table if exists {PARSED}")
    return list(results.values())


def _register_files(con, batch: Batch) -> None:
    # Parallel lists unnested side by side: no per-row statements, no DataFrame.
    con.execute(
        f"""create or replace temp table {FILES} as
        select unnest(?) as _file, unnest(?)::bigint as file_seq, unnest(?) as sha256,
               unnest(?) as rel_path""",
        [[a.scan.snapshot for a in batch.files], [a.file_seq for a in batch.files],
         [a.scan.sha256 for a in batch.files], [a.landing.rel_path for a in batch.files]],
    )


def _insert_rejections(con, feed: Feed, by_file, rejections: list[Rejection], run_id) -> None:
    if rejections:  # one statement: executemany runs row by row (0.5 ms a row)
        con.execute(
            "insert into audit.rejected_rows select ?, unnest(?), unnest(?), unnest(?), "
            "unnest(?)::json, unnest(?), ?",
            [feed.name, [by_file[r.file].landing.rel_path for r in rejections],
             [by_file[r.file].scan.sha256 for r in rejections],
             [r.row_number for r in rejections], [r.row_json for r in rejections],
             [r.reason for r in rejections], run_id],
        )


def _file_results(feed: Feed, by_file, counts, rejections) -> dict[str, FileResult]:
    shape_rejected: dict[str, int] = {}
    for rejection in rejections:
        shape_rejected[rejection.file] = shape_rejected.get(rejection.file, 0) + 1
    results = {}
    for file, accepted in by_file.items():
        loaded, rejected = counts.get(accepted.file_seq, (0, 0))
        rejected += shape_rejected.get(file, 0)
        results[file] = FileResult(
            feed.name, accepted.landing.rel_path, accepted.scan.sha256, accepted.scan.size,
            LOADED, loaded + rejected, loaded, rejected, modified_ns=accepted.landing.modified_ns,
        )
    return results
