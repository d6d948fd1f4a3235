"""What holds personal data is readable by its owner and group only (files 0640, folders
0750), as exports are: the warehouse, the serving database, the archive, the data folder.

New files get it from the umask every writing process sets; files made by an earlier
version (0644, 0755) are tightened by the next run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from core.settings import Settings

UMASK = 0o027  # files 0640, folders 0750
FILE_MODE, DIR_MODE = 0o640, 0o750


def private_umask() -> None:
    """Files this process creates from now on are not world-readable."""
    os.umask(UMASK)


def tighten(settings: Settings) -> None:
    """Take world access away from what holds personal data (a cheap check when done)."""
    for path in (settings.data_dir, settings.warehouse,
                 settings.warehouse.with_name(settings.warehouse.name + ".wal"),
                 settings.serving_dir, settings.archive_dir):
        _tighten(path)


def _tighten(path: Path) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not mode & 0o007:
        return  # tight already (a folder is walked only when it was open)
    if stat.S_ISDIR(mode):
        for folder, folders, files in os.walk(path):
            os.chmod(folder, DIR_MODE)
            for name in files:
                file = os.path.join(folder, name)
                if not os.path.islink(file):
                    os.chmod(file, FILE_MODE)
            folders[:] = [f for f in folders if not os.path.islink(os.path.join(folder, f))]
    else:
        os.chmod(path, FILE_MODE)
