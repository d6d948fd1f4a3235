"""What an ingest run reports back: per file and per feed counts."""

from __future__ import annotations

from dataclasses import dataclass, field

LOADED, REJECTED, DUPLICATE, IGNORED = "loaded", "rejected", "duplicate", "ignored"


@dataclass(frozen=True)
class FileResult:
    feed: str
    path: str  # relative to the landing folder, with '/'
    sha256: str
    size: int
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str | None = None
    modified_ns: int | None = None  # the file's mtime when judged: skips re-hashing it


@dataclass
class FeedResult:
    feed: str
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    def summary(self) -> str:
        """One line for the log: what the feed's files and rows came to."""
        return (
            f"{self.feed}: {self.count(LOADED)} files loaded, {self.count(REJECTED)} rejected, "
            f"{self.count(DUPLICATE)} duplicate, {self.count(IGNORED)} ignored; "
            f"rows {self.rows_loaded} loaded, {self.rows_rejected} rejected"
        )
