"""manifest.json of an export folder: what was exported and a checksum of every file."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

from core import __version__

MANIFEST = "manifest.json"
PII_MODES = ("named", "hashed")


def write_manifest(folder: Path, meta: dict, files: list[tuple[str, int]]) -> Path:
    """Write folder/manifest.json: meta, created_at, product version, and each file's
    name, rows, bytes and sha256 read back from disk."""
    if meta.get("pii_mode", "named") not in PII_MODES:
        raise ValueError(f"pii_mode must be one of {PII_MODES}: {meta['pii_mode']!r}")
    document = {
        **meta,
        "created_at": meta.get("created_at") or _utc_now(),
        "product_version": meta.get("product_version") or __version__,
        "files": [_file_entry(folder, name, rows) for name, rows in files],
    }
    path = folder / MANIFEST
    text = json.dumps(document, indent=2, ensure_ascii=False, default=_json_default)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _file_entry(folder: Path, name: str, rows: int) -> dict:
    """Name, rows, size and SHA-256 of one file of the folder."""
    # Names are single path segments: the manifest describes this folder only.
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"not a file name of the export folder: {name!r}")
    path = folder / name
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return {"name": name, "rows": rows, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _utc_now() -> str:
    """Now in UTC as 2026-03-31T02:00:00Z."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json_default(value: object) -> str:
    """Dates (and datetimes) as ISO text; anything else is a bug in meta."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"manifest value not JSON serialisable: {value!r}")
