"""Find the files of a feed in the landing folder, in delivery order."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LandingFile:
    path: Path  # absolute
    rel_path: str  # relative to the landing folder, with '/': what audit tables record
    feed_path: str  # relative to the feed folder: what fixes the order inside a run
    size: int
    modified_ns: int

    @property
    def extension(self) -> str:
        return os.path.splitext(self.path.name)[1].lower()


def discover(landing_dir: Path, feed: str) -> list[LandingFile]:
    """Every file below `landing_dir/feed`, nested folders included, in code-point order."""
    feed_dir = landing_dir / feed
    if not feed_dir.is_dir():
        return []
    found = []
    for folder, _, names in os.walk(feed_dir):
        for name in names:
            path = Path(folder, name)
            if not path.is_file():
                continue
            feed_path = path.relative_to(feed_dir).as_posix()
            stat = path.stat()
            found.append(LandingFile(path.resolve(), f"{feed}/{feed_path}", feed_path,
                                     stat.st_size, stat.st_mtime_ns))
    # Python compares str by code point, which is the order feeds.md fixes.
    return sorted(found, key=lambda f: f.feed_path)
