"""Copies of loaded files under data/archive/<feed>/<sha256>.<ext> (Autodesk deletes its
exports after 14 days; the archive keeps the evidence behind every raw row)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def archive_copy(source: Path, archive_dir: Path, feed: str, sha256: str) -> Path:
    """Copy `source` into the archive, atomically; a copy already there is kept."""
    target = archive_dir / feed / f"{sha256}{source.suffix.lower()}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target
