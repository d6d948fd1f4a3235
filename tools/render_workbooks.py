"""Render export workbooks the way an admin sees them: LibreOffice (headless) prints each
to PDF and pdftoppm turns the pages into PNG files, to look at before a release.

    python tools/render_workbooks.py [WORKBOOK ...]

Without arguments it renders the newest flex_report.xlsx of every team under
$FLEXWH_DATA_DIR/exports (data/exports: `make demo` writes them). The PNG files go to
data/render/<team>/ (the Summary is page 1); the page count of each workbook is printed.
Needs `soffice` and `pdftoppm` (Debian: libreoffice-calc, poppler-utils).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def newest_workbooks(data_dir: Path) -> list[Path]:
    books = []
    for latest in sorted((data_dir / "exports").glob("*/LATEST")):
        book = latest.parent / latest.read_text(encoding="utf-8").strip() / "flex_report.xlsx"
        if book.exists():
            books.append(book)
    return books


def render(book: Path, out: Path) -> int:
    """Pages of the workbook printed to PDF; the first three as PNG files in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        # A profile of its own: a running LibreOffice would otherwise take the job.
        subprocess.run(["soffice", f"-env:UserInstallation=file://{scratch}/profile",
                        "--headless", "--convert-to", "pdf", "--outdir", scratch, str(book)],
                       check=True, capture_output=True, timeout=300)
        pdf = Path(scratch) / (book.stem + ".pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                              text=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "3", str(pdf),
                        str(out / "page")], check=True, timeout=300)
    return pages


def main(argv: list[str]) -> int:
    missing = [tool for tool in ("soffice", "pdftoppm", "pdfinfo") if not shutil.which(tool)]
    if missing:
        print(f"render: {', '.join(missing)} not found (Debian: apt-get install "
              "libreoffice-calc poppler-utils)", file=sys.stderr)
        return 2
    data_dir = Path(os.environ.get("FLEXWH_DATA_DIR", "data"))
    books = [Path(arg) for arg in argv] or newest_workbooks(data_dir)
    if not books:
        print(f"render: no workbook under {data_dir / 'exports'} (run make demo)",
              file=sys.stderr)
        return 1
    for book in books:
        team = book.parent.parent.name if book.parent.name[:1].isdigit() else book.stem
        pages = render(book, data_dir / "render" / team)
        print(f"{book}: {pages} pages, PNG in {data_dir / 'render' / team}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
