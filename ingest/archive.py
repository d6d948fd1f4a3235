"""Copies of loaded files under data/archive/<feed>/<sha256>.<ext> (Autodesk deletes its
exports after 14 days; the archive keeps the evidence behind every raw row).

The copy is the snapshot the file was read from (ingest/scan.py), moved into place: the
archive holds exactly the bytes that were hashed and loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.scan import FileScan


def archive(scan: FileScan, archive_dir: Path, feed: str) -> Path:
    """Move the snapshot of a loaded file to its place in the archive (a rename)."""
    snapshot = Path(scan.snapshot)
    target = archive_dir / feed / f"{scan.sha256}{snapshot.suffix.lower()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(snapshot, target)
    return target
