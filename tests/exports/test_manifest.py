"""write_manifest: meta, version, and each file's rows, bytes and sha256 as on disk."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import core
from exports.manifest import write_manifest

META = {
    "team": "Acme", "team_slug": "acme", "as_of": date(2026, 3, 31),
    "range_start": date(2025, 3, 1), "range_end": date(2026, 3, 31), "pii_mode": "hashed",
}
# sha256 of the file contents, from `printf 'a,b\r\n1,2\r\n' | sha256sum` and `printf ''`.
SHA_CSV = "ea14f99c47575613ab22111122c847728c61007f6bfd7b062d02fcb99df3feb0"
SHA_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_manifest_lists_meta_and_files(tmp_path: Path):
    (tmp_path / "users.csv").write_bytes(b"a,b\r\n1,2\r\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    path = write_manifest(tmp_path, META, [("users.csv", 1), ("empty.csv", 0)])
    assert path == tmp_path / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    created = document.pop("created_at")
    assert created.endswith("Z")
    age = datetime.now(UTC) - datetime.fromisoformat(created[:-1] + "+00:00")
    assert 0 <= age.total_seconds() < 60
    files = document.pop("files")
    assert document == {
        "team": "Acme", "team_slug": "acme", "as_of": "2026-03-31",
        "range_start": "2025-03-01", "range_end": "2026-03-31", "pii_mode": "hashed",
        "product_version": core.__version__,
    }
    assert files == [
        {"name": "users.csv", "rows": 1, "bytes": 10, "sha256": SHA_CSV},
        {"name": "empty.csv", "rows": 0, "bytes": 0, "sha256": SHA_EMPTY},
    ]


def test_paths_outside_the_folder_and_bad_pii_mode_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="not a file name"):
        write_manifest(tmp_path, META, [("../etc/passwd", 1)])
    with pytest.raises(ValueError, match="pii_mode"):
        write_manifest(tmp_path, {**META, "pii_mode": "plain"}, [])
