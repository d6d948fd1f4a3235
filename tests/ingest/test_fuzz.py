"""Seeded fuzz corpus: hostile landing folders (tests/ingest/hostile_files.py) ingested
twice into a real DuckDB file, and the invariants of feeds.md and warehouse.md checked on
every landing file.

A crash of ingest_all is a failure; to still check the other files of the corpus, the
files the crash was in (found from the locals of its traceback) are moved out of the
landing folder and the corpus is ingested again (same warehouse, same run id, as the next
night's run would), until a run completes. Each seed names its failing files with their
mutations and first bytes in the assertion message.

DuckDB runs with one thread per connection here (two corpora are ingested at a time), which
makes batch-size dependent behaviour of DuckDB's CSV reader show with fewer files per batch.
"""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest_all
from tests.ingest.helpers import Landing
from tests.ingest.hostile_files import FEEDS, HostileFile, build_landing

# Ten corpora of about 240 files, each ingested twice: 95 s on one worker, more than the
# whole fast tier has. In make test, not make test-fast.
pytestmark = pytest.mark.slow

SEEDS = list(range(1, 11))
FILES_PER_LANDING = 200  # plus batch groups, copies and links: about 240 per landing
MAX_CRASH_ROUNDS = 60
SHOWN_PER_INVARIANT = 8


@pytest.fixture(scope="session")
def dbt_manifest():
    """Overrides conftest's autouse `dbt parse` for this module: ingest needs no dbt."""
    return None


class OneThreadLanding(Landing):
    """Ingest with one DuckDB thread: two corpora are ingested at a time on two cores."""

    def ingest(self):
        self.runs += 1
        with duckdb.connect(str(self.warehouse), config={"threads": 1}) as con:
            return ingest_all(con, self.landing, self.archive, f"run-{self.runs}")


@dataclass
class Corpus:
    seed: int
    landing: Landing
    files: list[HostileFile]
    crashes: list[str] = field(default_factory=list)  # run 1, one line each
    quarantined: set[str] = field(default_factory=set)  # rel paths moved out after a crash
    second_run_crash: str | None = None
    landing_changes: list[str] = field(default_factory=list)
    after_first: dict[str, int] = field(default_factory=dict)  # row counts of the tables

    @property
    def checked(self) -> list[HostileFile]:
        return [f for f in self.files if f.rel_path not in self.quarantined]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> Iterator[dict[int, Corpus]]:
    """Every seed's corpus, built and ingested twice, two at a time: DuckDB releases the GIL,
    and most of an ingest's time is DuckDB planning the statements of a batch."""
    roots = {seed: tmp_path_factory.mktemp(f"fuzz-seed{seed}") for seed in SEEDS}
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            built = dict(zip(SEEDS, pool.map(_ingested_corpus, SEEDS, roots.values()),
                             strict=True))
        yield built
    finally:
        for root in roots.values():  # unreadable files readable again, for the clean-up
            for path in root.rglob("*"):
                if not path.is_symlink():
                    path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(params=SEEDS, ids=lambda seed: f"seed{seed}")
def corpus(request, corpora) -> Corpus:
    return corpora[request.param]


def _ingested_corpus(seed: int, root: Path) -> Corpus:
    corpus = Corpus(seed, OneThreadLanding(root), build_landing(root, seed, FILES_PER_LANDING))
    _first_run(corpus)
    before = _snapshot(corpus.landing.landing)
    corpus.after_first = _table_counts(corpus.landing)
    try:
        corpus.landing.ingest()
    except Exception as error:  # noqa: BLE001 - a crash is a finding, reported by a test
        corpus.second_run_crash = _crash_line(error, [])
    corpus.landing_changes = _changes(before, _snapshot(corpus.landing.landing))
    return corpus


def _first_run(corpus: Corpus) -> None:
    """Ingest; after a crash, move the files it was in out of the landing and ingest again
    (the same run: what was committed stays, as it would for the next night's run)."""
    landing = corpus.landing
    by_path = _files_by_path(corpus)
    for _ in range(MAX_CRASH_ROUNDS):
        before = _snapshot(landing.landing)
        try:
            landing.runs = 0  # every attempt is run-1
            landing.ingest()
        except Exception as error:  # noqa: BLE001 - a crash is a finding
            culprits = [f for f in _culprits(error, by_path)
                        if f.rel_path not in corpus.quarantined]
            corpus.crashes.append(_crash_line(error, culprits))
            if not culprits:
                return
            for culprit in culprits:
                corpus.quarantined.add(culprit.rel_path)
                target = landing.root / "quarantine" / str(len(corpus.quarantined))
                target.parent.mkdir(exist_ok=True)
                os.rename(landing.landing / culprit.rel_path, target)
            continue
        changes = _changes(before, _snapshot(landing.landing))
        corpus.landing_changes += [f"first run: {change}" for change in changes]
        return
    corpus.crashes.append(f"gave up after {MAX_CRASH_ROUNDS} crashes")


def _files_by_path(corpus: Corpus) -> dict[str, HostileFile]:
    found = {}
    for entry in corpus.files:
        path = corpus.landing.landing / entry.rel_path
        found[str(path)] = found[entry.rel_path] = entry
        if path.exists():
            found.setdefault(str(path.resolve()), entry)
    return found


def _culprits(error: BaseException, by_path: dict[str, HostileFile]) -> list[HostileFile]:
    """The landing files a crash happened on, from the locals of its traceback (innermost
    frame first); a batch when no single file is named."""
    frames = []
    while error is not None:
        frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)] + frames
        error = error.__context__
    for frame in reversed(frames):
        for name in ("landing", "accepted", "path", "file", "source"):
            found = _named_file(frame.f_locals.get(name), by_path)
            if found is not None:
                return [found]
    for frame in reversed(frames):
        batch = getattr(frame.f_locals.get("batch"), "files", None) or []
        found = [_named_file(accepted, by_path) for accepted in batch]
        if found and None not in found:
            return found
    return []


def _named_file(value, by_path: dict[str, HostileFile]) -> HostileFile | None:
    value = getattr(value, "landing", value)
    value = getattr(value, "path", value)
    if isinstance(value, str | os.PathLike):
        return by_path.get(str(value))
    return None


def _crash_line(error: BaseException, culprits: list[HostileFile]) -> str:
    where = traceback.extract_tb(error.__traceback__)[-1]
    place = f"{Path(where.filename).name}:{where.lineno} {where.name}"
    files = "; ".join(c.describe(100) for c in culprits) or "file not identified"
    return f"{type(error).__name__}: {str(error)[:160]!r} at {place} -- {files}"


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder`, links not followed: what it is and its bytes' hash."""
    found = {}
    for parent, folders, names in os.walk(folder):
        for name in folders + names:
            path = Path(parent, name)
            info = path.lstat()
            if path.is_symlink():
                found[str(path)] = ("link", os.readlink(path))
            elif path.is_dir():
                found[str(path)] = ("folder", info.st_mode)
            else:
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:
                    digest = None
                found[str(path)] = ("file", info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return found


def _changes(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    changes = [f"deleted {path!r}" for path in before.keys() - after.keys()]
    changes += [f"created {path!r}" for path in after.keys() - before.keys()]
    changes += [f"modified {path!r}: {before[path]} -> {after[path]}"
                for path in before.keys() & after.keys() if before[path] != after[path]]
    return sorted(changes)


def _query(landing: Landing, sql: str, params=None) -> list[tuple]:
    if not landing.warehouse.exists():
        return []
    try:
        return landing.query(sql, params)
    except duckdb.CatalogException:  # the run crashed before the tables existed
        return []


def _table_counts(landing: Landing) -> dict[str, int]:
    tables = [f"raw.{feed}" for feed in FEEDS] + ["audit.rejected_rows"]
    return {t: sum(n for (n,) in _query(landing, f"select count(*) from {t}")) for t in tables}


# --- The invariants ---------------------------------------------------------------------


def _file_violations(corpus: Corpus) -> list[tuple[str, HostileFile | None, str]]:
    """(invariant, file, detail) for every violation found in the warehouse."""
    landing = corpus.landing
    audit: dict[str, list[tuple]] = {}
    for row in _query(landing, "select path, feed, sha256, size, status, rows_read, "
                               "rows_loaded, rows_rejected, message from audit.ingested_files"):
        audit.setdefault(row[0], []).append(row[1:])
    raw: dict[tuple[str, str], int] = {}
    for feed in FEEDS:
        for path, sha, count in _query(
                landing, f"select _source_path, _file_sha256, count(*) from raw.{feed} "
                         "group by all"):
            raw[(path, sha)] = raw.get((path, sha), 0) + count
    rejected: dict[tuple[str, str], int] = {}
    violations: list[tuple[str, HostileFile | None, str]] = []
    for path, sha, count, no_reason in _query(
            landing, "select path, sha256, count(*), "
                     "count(*) filter (where coalesce(trim(reason), '') = '') "
                     "from audit.rejected_rows group by all"):
        rejected[(path, sha)] = count
        if no_reason:
            violations.append(("rejected row without a reason", None,
                               f"{path}: {no_reason} rows"))
    loaded_shas = {(r[0], r[1]) for rows in audit.values() for r in rows if r[3] == "loaded"}
    for entry in corpus.checked:
        for invariant, detail in _check_file(entry, audit.get(entry.rel_path, []), raw,
                                             rejected, loaded_shas):
            violations.append((invariant, entry, detail))
    known = {f.rel_path for f in corpus.files}
    for path in audit.keys() - known:
        violations.append(("audit row for no landing file", None, repr(path)))
    loaded = {(path, rows[0][1]) for path, rows in audit.items() if rows[0][3] == "loaded"}
    for path, sha in raw.keys() - loaded:
        violations.append(("raw rows of a file not loaded", None, f"{path} {sha[:12]}"))
    return violations


def _check_file(entry: HostileFile, rows: list[tuple], raw: dict, rejected: dict,
                loaded_shas: set) -> list[tuple[str, str]]:
    if len(rows) != 1:
        return [("exactly one audit row per landing file", f"{len(rows)} audit rows")]
    feed, sha, size, status, read, loaded, rejects, message = rows[0]
    found: list[tuple[str, str]] = []
    if feed != entry.feed:
        found.append(("audit feed", f"feed {feed}"))
    if entry.hashed and entry.data is not None and (sha, size) != (entry.sha256, len(entry.data)):
        found.append(("sha256 and size of the bytes", f"{sha[:12]}/{size}, expected "
                      f"{entry.sha256[:12]}/{len(entry.data)}"))
    if entry.statuses and status not in entry.statuses:
        found.append(("status", f"{status} ({message}), expected "
                      f"{'/'.join(sorted(entry.statuses))} ({entry.note})"))
    in_raw, in_rejected = raw.get((entry.rel_path, sha), 0), rejected.get((entry.rel_path, sha), 0)
    counts = f"read {read} loaded {loaded} rejected {rejects}"
    if status == "loaded":
        if read != loaded + rejects:
            found.append(("loaded: rows_read = rows_loaded + rows_rejected", counts))
        if loaded != in_raw:
            found.append(("loaded: rows_loaded = its rows in raw", f"{counts}; raw {in_raw}"))
        if rejects != in_rejected:
            found.append(("loaded: rows_rejected = its rows in audit.rejected_rows",
                          f"{counts}; rejected_rows {in_rejected}"))
        if entry.data_rows is not None and read != entry.data_rows:
            found.append(("loaded: rows_read = data rows (independent count)",
                          f"{counts}; expected {entry.data_rows} data rows"))
    elif status == "rejected":
        if not message or not message.startswith(entry.rel_path):
            found.append(("rejected: message starts with the path", repr(message)))
        if loaded or rejects != read or in_raw or in_rejected:
            found.append(("rejected: rows_loaded 0, rows_rejected = rows_read, nothing stored",
                          f"{counts}; raw {in_raw} rejected_rows {in_rejected}"))
        if entry.data_rows is not None and entry.rel_path.lower().endswith(".csv") \
                and read != entry.data_rows:
            found.append(("rejected CSV: rows_read = data rows (docs/ingest.md)",
                          f"{counts}; expected {entry.data_rows} ({message})"))
    else:
        if read or loaded or rejects or in_raw or in_rejected:
            found.append((f"{status}: zero row counts", counts))
        if status == "duplicate" and (entry.feed, sha) not in loaded_shas:
            found.append(("duplicate of no loaded file", sha[:12]))
    return found


def _report(seed: int, violations: list[tuple[str, HostileFile | None, str]],
            header: list[str]) -> str:
    grouped: dict[str, list[str]] = {}
    for invariant, entry, detail in violations:
        shown = f"{detail} :: {entry.describe()}" if entry else detail
        grouped.setdefault(invariant, []).append(shown)
    lines = [f"seed {seed}: {len(violations)} violations", *header]
    for invariant, shown in sorted(grouped.items(), key=lambda item: -len(item[1])):
        lines.append(f"[{invariant}] {len(shown)} files")
        lines += [f"    {line}" for line in shown[:SHOWN_PER_INVARIANT]]
    return "\n".join(lines)


# --- Tests --------------------------------------------------------------------------------


def test_every_landing_file_is_accounted_for(corpus: Corpus):
    violations = [("no exception escapes ingest_all", None, crash) for crash in corpus.crashes]
    violations += _file_violations(corpus)
    header = [f"{len(corpus.files)} landing files, {len(corpus.quarantined)} moved out after "
              f"crashes (not checked further)"]
    assert not violations, _report(corpus.seed, violations, header)


def test_a_second_run_adds_nothing_and_landing_files_are_untouched(corpus: Corpus):
    problems = []
    if corpus.second_run_crash:
        problems.append(f"second run crashed: {corpus.second_run_crash}")
    retried = {f.rel_path for f in corpus.files if f.tags[0] == "unreadable"}
    for path, status, message in _query(
            corpus.landing, "select path, status, message from audit.ingested_files "
                            "where run_id <> 'run-1'"):
        if path not in retried:  # docs/ingest.md: an unreadable file is tried every run
            problems.append(f"second run recorded {path!r} again: {status} {message!r}")
    after = _table_counts(corpus.landing)
    if after != corpus.after_first:
        problems.append(f"row counts changed: {corpus.after_first} -> {after}")
    problems += [f"landing file changed: {change}" for change in corpus.landing_changes]
    assert not problems, f"seed {corpus.seed}:\n" + "\n".join(problems[:40])


def test_raw_tables_read_back_with_python_dates(corpus: Corpus):
    problems = []
    assert corpus.landing.warehouse.exists(), f"seed {corpus.seed}: no warehouse"
    with duckdb.connect(str(corpus.landing.warehouse), read_only=True) as con:
        for feed in FEEDS:
            described = con.execute(f"describe raw.{feed}").fetchall()
            columns = [name for name, *_ in described]
            dates = [i for i, (_, kind, *_) in enumerate(described) if kind == "DATE"]
            try:
                rows = con.execute(f"select * from raw.{feed}").fetchall()
            except Exception as error:  # noqa: BLE001 - reported with the feed
                problems.append(f"select * from raw.{feed}: {type(error).__name__}: {error}")
                continue
            source = columns.index("_source_path")
            for row in rows:
                for i in dates:
                    if row[i] is not None and not isinstance(row[i], date):
                        problems.append(f"raw.{feed}.{columns[i]} = {row[i]!r} "
                                        f"({type(row[i]).__name__}) from {row[source]!r}")
    assert not problems, f"seed {corpus.seed}:\n" + "\n".join(problems[:40])
