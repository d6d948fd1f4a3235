"""publish_folder, write_latest, prune_exports: atomic folders, permissions, retention."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from exports import publish
from exports.publish import prune_exports, publish_folder, write_latest


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fill(*names: str):
    """A `write` callback creating the named files (and a sub-folder)."""

    def write(folder: Path) -> None:
        for name in names:
            (folder / name).write_text(name, encoding="utf-8")
        (folder / "extra").mkdir()
        (folder / "extra" / "note.txt").write_text("x", encoding="utf-8")

    return write


def test_publish_creates_folder_with_permissions(tmp_path: Path):
    team_dir = tmp_path / "exports" / "acme"
    folder = publish_folder(team_dir, "2026-03-31", fill("users.csv"))
    assert folder == team_dir / "2026-03-31"
    assert sorted(p.name for p in team_dir.iterdir()) == ["2026-03-31"]  # no temp left
    assert (folder / "users.csv").read_text(encoding="utf-8") == "users.csv"
    assert mode(folder) == 0o750 and mode(folder / "extra") == 0o750
    assert mode(folder / "users.csv") == 0o640 and mode(folder / "extra" / "note.txt") == 0o640
    assert mode(team_dir) == 0o750 and mode(tmp_path / "exports") == 0o750


def test_write_sees_a_hidden_temporary_folder_in_the_parent(tmp_path: Path):
    seen = []
    publish_folder(tmp_path, "2026-03-31", lambda folder: seen.append(folder))
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".")
    assert not seen[0].exists()


def test_failure_in_the_middle_keeps_previous_folder_and_no_temporary(tmp_path: Path):
    publish_folder(tmp_path, "2026-03-31", fill("old.csv"))

    def half_then_fail(folder: Path) -> None:
        (folder / "new.csv").write_text("partial", encoding="utf-8")
        raise RuntimeError("warehouse went away")

    with pytest.raises(RuntimeError, match="warehouse went away"):
        publish_folder(tmp_path, "2026-03-31", half_then_fail)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-03-31"]
    assert sorted(p.name for p in (tmp_path / "2026-03-31").iterdir()) == ["extra", "old.csv"]


def test_failure_on_first_publication_leaves_nothing(tmp_path: Path):
    def interrupted(folder: Path) -> None:
        (folder / "users.csv").write_text("partial", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish_folder(tmp_path, "2026-03-31", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_republishing_the_same_as_of_replaces_it_whole(tmp_path: Path):
    publish_folder(tmp_path, "2026-03-31", fill("old.csv"))
    publish_folder(tmp_path, "2026-03-31", fill("new.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-03-31"]  # old one deleted
    assert sorted(p.name for p in (tmp_path / "2026-03-31").iterdir()) == ["extra", "new.csv"]


def test_failed_rename_puts_the_previous_folder_back(tmp_path: Path, monkeypatch):
    publish_folder(tmp_path, "2026-03-31", fill("old.csv"))
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name.startswith(".tmp-"):
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", rename)
    with pytest.raises(OSError, match="disk full"):
        publish_folder(tmp_path, "2026-03-31", fill("new.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-03-31"]
    assert (tmp_path / "2026-03-31" / "old.csv").exists()


@pytest.mark.parametrize("name", ["", ".hidden", "..", "a/b", "a\\b"])
def test_unsafe_folder_names_are_refused(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="not a publishable folder name"):
        publish_folder(tmp_path, name, fill())


def test_latest_is_replaced_atomically(tmp_path: Path, monkeypatch):
    for day in ("2026-03-30", "2026-03-31"):
        (tmp_path / day).mkdir()
    write_latest(tmp_path, "2026-03-30")
    replaced = []
    real_replace = os.replace

    def replace(src, dst):
        replaced.append((Path(src).parent, Path(src).name.startswith("."), Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)
    write_latest(tmp_path, "2026-03-31")
    assert replaced == [(tmp_path, True, "LATEST")]  # a hidden sibling renamed over LATEST
    assert (tmp_path / "LATEST").read_text(encoding="utf-8") == "2026-03-31\n"
    assert mode(tmp_path / "LATEST") == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-03-30", "2026-03-31", "LATEST"]


def test_latest_never_names_a_missing_folder(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        write_latest(tmp_path, "2026-03-31")
    assert list(tmp_path.iterdir()) == []


def make_tree(team_dir: Path, names: list[str]) -> None:
    for name in names:
        (team_dir / name).mkdir(parents=True)
        (team_dir / name / "users.csv").write_text("x", encoding="utf-8")


def age(path: Path, seconds: float) -> None:
    """Set the modification time of a tree `seconds` in the past."""
    then = time.time() - seconds
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.utime(os.path.join(root, name), (then, then))
    os.utime(path, (then, then))


def test_retention_removes_folders_over_14_days_before_the_newest(tmp_path: Path):
    # Newest 2026-03-31: 2026-03-17 is 14 days before (kept), 2026-03-16 is 15 (removed).
    names = ["2026-03-31", "2026-03-17", "2026-03-16", "2026-02-01", "notes", "2026-13-01"]
    make_tree(tmp_path, names)
    (tmp_path / "LATEST").write_text("2026-03-31\n", encoding="utf-8")
    removed = prune_exports(tmp_path, 14)
    assert removed == [tmp_path / "2026-02-01", tmp_path / "2026-03-16"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-03-17", "2026-03-31", "2026-13-01", "LATEST", "notes",
    ]


def test_retention_zero_keeps_only_the_newest(tmp_path: Path):
    make_tree(tmp_path, ["2026-03-31", "2026-03-30"])
    assert prune_exports(tmp_path, 0) == [tmp_path / "2026-03-30"]
    assert prune_exports(tmp_path, 0) == []
    assert [p.name for p in tmp_path.iterdir()] == ["2026-03-31"]


def test_stale_temporary_folders_are_removed_fresh_ones_kept(tmp_path: Path):
    make_tree(tmp_path, ["2026-03-31", ".tmp-2026-03-30-aaaa", ".tmp-2026-03-31-bbbb",
                         ".old-2026-03-31-cccc", ".other"])
    (tmp_path / ".tmp-LATEST-dddd").write_text("2026-03-30\n", encoding="utf-8")
    for name in (".tmp-2026-03-30-aaaa", ".old-2026-03-31-cccc", ".tmp-LATEST-dddd", ".other"):
        age(tmp_path / name, 7 * 3600)
    removed = prune_exports(tmp_path, 14)
    assert sorted(p.name for p in removed) == [
        ".old-2026-03-31-cccc", ".tmp-2026-03-30-aaaa", ".tmp-LATEST-dddd",
    ]
    # .tmp-...-bbbb was written to just now: a run may still be filling it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other", ".tmp-2026-03-31-bbbb", "2026-03-31",
    ]


def test_folder_moved_aside_by_a_killed_run_is_restored(tmp_path: Path):
    make_tree(tmp_path, [".old-2026-03-31-cccc"])
    age(tmp_path / ".old-2026-03-31-cccc", 7 * 3600)
    assert prune_exports(tmp_path, 14) == []
    assert [p.name for p in tmp_path.iterdir()] == ["2026-03-31"]
    assert (tmp_path / "2026-03-31" / "users.csv").exists()
