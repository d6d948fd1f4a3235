"""Atomic publication of export folders, the LATEST pointer, and retention."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FILE_MODE, DIR_MODE = 0o640, 0o750
LATEST = "LATEST"
# Hidden names: never mistaken for an <as_of> folder, skipped by `ls` and by readers.
TMP_PREFIX, OLD_PREFIX = ".tmp-", ".old-"
# A temporary name nothing wrote to for this long belongs to a killed run, whatever the
# process id in it says (the id may have been reused).
STALE_AFTER_SECONDS = 6 * 3600
_AS_OF = re.compile(r"\d{4}-\d{2}-\d{2}")
# Temporary names end in a tag naming their writer: p<pid>-<8 hex>, before an end, '.' or '-'.
_TAG = re.compile(r"(?:^|[.-])p(\d+)-[0-9a-f]{8}(?=$|[.-])")


def temp_tag() -> str:
    """The tag of a temporary name: the writing process, so a later run can tell the
    leftovers of a killed run (gone process) from the files of a live one."""
    return f"p{os.getpid()}-{secrets.token_hex(4)}"


def abandoned(path: Path) -> bool:
    """A temporary file or folder whose writer is gone, or untouched for STALE_AFTER_SECONDS."""
    tag = _TAG.search(path.name)
    if tag and not _process_alive(int(tag.group(1))):
        return True
    return _last_write(path) < time.time() - STALE_AFTER_SECONDS


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def publish_folder(parent: Path, name: str, write: Callable[[Path], None]) -> Path:
    """Fill a hidden temporary folder with write(tmp), then rename it to parent/name."""
    return stage_folder(parent, name, write).commit()


@dataclass
class StagedFolder:
    """A complete folder under a hidden temporary name: commit() renames it into place,
    replacing a folder of the same name; discard() removes it."""

    tmp: Path
    target: Path

    def commit(self) -> Path:
        try:
            _swap_in(self.tmp, self.target)
        except BaseException:
            self.discard()
            raise
        fsync(self.target.parent)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def stage_folder(parent: Path, name: str, write: Callable[[Path], None]) -> StagedFolder:
    """write(tmp) into a hidden temporary folder of parent, permissions set, fsynced."""
    _check_name(name)
    _make_dirs(parent)
    tmp = parent / f"{TMP_PREFIX}{name}-{temp_tag()}"
    tmp.mkdir(mode=0o700)
    try:
        write(tmp)
        _apply_permissions(tmp)
        _fsync_tree(tmp)
    except BaseException:
        # Interrupts too: a failed run leaves no partial folder behind.
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return StagedFolder(tmp, parent / name)


def _swap_in(tmp: Path, target: Path) -> None:
    """Rename tmp to target; an existing target is moved aside first, then deleted."""
    if not target.exists() and not target.is_symlink():
        os.rename(tmp, target)
        return
    aside = target.parent / f"{OLD_PREFIX}{target.name}-{temp_tag()}"
    os.rename(target, aside)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(aside, target)  # put the previous folder back
        raise
    # A leftover here is only disk space: prune_exports removes it later.
    shutil.rmtree(aside, ignore_errors=True)


def write_latest(team_dir: Path, as_of_name: str) -> None:
    """Point team_dir/LATEST at the as_of folder, replacing the file atomically."""
    _check_name(as_of_name)
    if not (team_dir / as_of_name).is_dir():
        raise FileNotFoundError(f"LATEST would name a missing folder: {team_dir / as_of_name}")
    tmp = team_dir / f"{TMP_PREFIX}{LATEST}-{temp_tag()}"
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(as_of_name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, team_dir / LATEST)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync(team_dir)


def read_latest(team_dir: Path) -> str | None:
    """The as_of folder name LATEST points at; None without a readable, valid LATEST."""
    try:
        name = (team_dir / LATEST).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if _AS_OF.fullmatch(name) else None


def prune_exports(team_dir: Path, retention_days: int) -> list[Path]:
    """Delete as_of folders over retention_days before the newest and stale temp folders."""
    if retention_days < 0:
        raise ValueError(f"retention_days must be 0 or more: {retention_days}")
    removed = _clean_stale(team_dir)
    folders = {path: day for path in team_dir.iterdir() if (day := _as_of_day(path))}
    if folders:
        newest = max(folders.values())
        for path, day in sorted(folders.items()):
            if (newest - day).days > retention_days:
                shutil.rmtree(path)
                removed.append(path)
    return removed


def _clean_stale(team_dir: Path) -> list[Path]:
    """Remove temporary folders and files of killed runs; restore a folder moved aside.

    A run killed between "move the old folder aside" and "rename the new one in" leaves
    only .old-<as_of>-<tag>: it goes back to <as_of> instead of being deleted. Names of a
    live writer (its process still runs) are left alone.
    """
    removed = []
    for path in sorted(team_dir.iterdir()):
        if not path.name.startswith((TMP_PREFIX, OLD_PREFIX)) or not abandoned(path):
            continue
        original = team_dir / _untagged(path.name[len(OLD_PREFIX) :])
        moved_aside = path.name.startswith(OLD_PREFIX) and _as_of_day(original, exists=False)
        if moved_aside and not original.exists():
            os.rename(path, original)
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path)
    return removed


def _untagged(name: str) -> str:
    """The name a temporary name stands for: without its tag (or an older -<hex> suffix)."""
    tag = _TAG.search(name)
    return name[: tag.start()] if tag else name.rsplit("-", 1)[0]


def _last_write(path: Path) -> float:
    """Newest modification time in a file or folder tree (a live run keeps it fresh)."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path):
            for entry in dirs + files:
                newest = max(newest, os.lstat(os.path.join(root, entry)).st_mtime)
    return newest


def _as_of_day(path: Path, exists: bool = True) -> date | None:
    """The day a YYYY-MM-DD folder name stands for; None for any other name."""
    if not _AS_OF.fullmatch(path.name) or (exists and not path.is_dir()):
        return None
    try:
        return date.fromisoformat(path.name)
    except ValueError:
        return None


def _check_name(name: str) -> None:
    """A single visible path segment: no separators, no '..', no leading '.'."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise ValueError(f"not a publishable folder name: {name!r}")


def _make_dirs(folder: Path) -> None:
    """Create folder and missing parents with mode 0750 (mkdir's mode is cut by umask)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        os.chmod(path, DIR_MODE)


def _apply_permissions(root: Path) -> None:
    """Folders 0750 and files 0640 (exports.md), the root folder included."""
    os.chmod(root, DIR_MODE)
    for current, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(current, name), DIR_MODE)
        for name in files:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder of the tree so the rename never publishes empty files."""
    for current, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                fsync(Path(path))
        fsync(Path(current))


def fsync(path: Path) -> None:
    """fsync one file or folder (a folder's fsync makes the renames in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
