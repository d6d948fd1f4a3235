"""Find the files of a feed in the landing folder, in delivery order.

Only regular files below the feed folder are read. Symbolic links are never followed (a
link could point anywhere, a file outside the landing folder included), and nothing that
is not a regular file is opened (reading a FIFO would block the run); both are listed with
the reason they are not read, as are folders that cannot be listed, so that each has an
audit row.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

SYMLINK = "symbolic link, not followed"
NOT_REGULAR = "not a regular file"
EXCEL_LOCK = "Excel lock file of an open workbook (~$ prefix)"


@dataclass(frozen=True)
class LandingFile:
    path: Path  # absolute
    rel_path: str  # relative to the landing folder, with '/': what audit tables record
    feed_path: str  # relative to the feed folder: what fixes the order inside a run
    size: int
    modified_ns: int
    ignored: str | None = None  # why the entry is not read as a feed file
    unlisted: str | None = None  # a folder that could not be listed: why

    @property
    def extension(self) -> str:
        return os.path.splitext(self.path.name)[1].lower()


def discover(landing_dir: Path, feed: str) -> list[LandingFile]:
    """Every entry below `landing_dir/feed`, nested folders included, in code-point order."""
    feed_dir = landing_dir / feed
    if not feed_dir.is_dir():
        return []
    feed_dir = feed_dir.resolve()
    found: list[LandingFile] = []

    def entry(path: Path, info: os.stat_result, ignored=None, unlisted=None) -> LandingFile:
        feed_path = path.relative_to(feed_dir).as_posix()
        feed_path = "" if feed_path == "." else feed_path
        return LandingFile(path, f"{feed}/{feed_path}", feed_path, info.st_size,
                           info.st_mtime_ns, ignored, unlisted)

    def unlistable(error: OSError) -> None:
        folder = Path(error.filename)
        found.append(entry(folder, folder.lstat(),
                           unlisted=f"folder cannot be read: {error.strerror}"))

    for folder, folders, names in os.walk(feed_dir, onerror=unlistable):
        for name in folders:  # os.walk lists links to folders among folders; never enters
            path = Path(folder, name)
            if path.is_symlink():
                found.append(entry(path, path.lstat(), ignored=SYMLINK))
        for name in names:
            path = Path(folder, name)
            try:
                info = path.lstat()
            except FileNotFoundError:  # removed since the folder was listed
                continue
            if stat.S_ISLNK(info.st_mode):
                found.append(entry(path, info, ignored=SYMLINK))
            elif not stat.S_ISREG(info.st_mode):
                found.append(entry(path, info, ignored=NOT_REGULAR))
            elif name.startswith("~$"):
                found.append(entry(path, info, ignored=EXCEL_LOCK))
            else:
                found.append(entry(path, info))
    # Python compares str by code point, which is the order feeds.md fixes.
    return sorted(found, key=lambda f: f.feed_path)
