"""No input blocks a night (issue 10): a landing folder of hostile files (the fuzz corpus of
tests/ingest/hostile_files.py) beside the fixture feeds goes through `flexwh run` twice;
both runs publish (exit 3: rejections and WARN checks), and what they publish opens."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from flexwh.cli import main
from tests.conftest import FIXTURES
from tests.ingest.hostile_files import build_landing

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

SEED = 1


def test_a_hostile_landing_folder_is_published_twice_and_every_workbook_opens(
        flexwh_env, capsys):
    shutil.copytree(FIXTURES / "orchestration" / "landing", flexwh_env.landing_dir)
    build_landing(flexwh_env.data_dir, SEED)

    assert main(["run"]) == 3
    assert main(["run"]) == 3  # the same folder again: nothing new, nothing failing
    assert main(["status", "--rejections"]) == 0
    out = capsys.readouterr().out

    assert "rejections by file, newest first" in out
    books = sorted(Path(flexwh_env.export_dir).glob("*/*/flex_report.xlsx"))
    assert len(books) >= 10
    for book in books:  # Excel's limit per cell; openpyxl reads the whole file
        for sheet in openpyxl.load_workbook(book, read_only=True).worksheets:
            for row in sheet.iter_rows(values_only=True):
                assert all(len(str(value)) <= 32_767 for value in row if value is not None)
