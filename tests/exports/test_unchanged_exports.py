"""Publication that scales with change: a team whose export inputs did not change keeps
the folder it published for this as_of; a team with new data gets a new folder, the same
as a publication from scratch.

Real `flexwh run`s on the orchestration fixture feeds (Acme and Beta, as of 2026-03-31).
"""

from __future__ import annotations

import json
from pathlib import Path

from exports.scheduled import PUBLISHED
from flexwh.cli import main

BETA_DAY = ("team,day_used,product_name,version,tokens_used,autodesk_id\n"
            "Beta,2026-03-05,Maya,2026,4,B7\n")


def files(settings, slug: str) -> dict[str, tuple[int, int, bytes]]:
    """(inode, mtime, bytes) of every file of the team's folder for as_of."""
    folder = settings.export_dir / slug / settings.as_of.isoformat()
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(folder.iterdir())}


def test_only_teams_with_new_inputs_are_published_again(flexwh_env, orchestration_landing,
                                                        capsys):
    settings = flexwh_env
    assert main(["run"]) == 3  # the fixture's rejected row
    first = {slug: files(settings, slug) for slug in ("acme", "beta")}
    record = json.loads((settings.export_dir / "acme" / PUBLISHED).read_text())
    assert record["as_of"] == settings.as_of.isoformat() and len(record["inputs_sha256"]) == 64

    capsys.readouterr()
    assert main(["run"]) == 0  # a rerun with nothing new: nothing is written
    assert "0 teams exported for 2026-03-31, 2 unchanged" in capsys.readouterr().out
    assert {slug: files(settings, slug) for slug in ("acme", "beta")} == first

    (orchestration_landing / "usage" / "2026-03-beta.csv").write_text(BETA_DAY)
    assert main(["run"]) == 0
    assert "1 teams exported for 2026-03-31, 1 unchanged" in capsys.readouterr().out
    assert files(settings, "acme") == first["acme"]  # untouched: same inodes and times
    beta = files(settings, "beta")
    assert beta["usage.csv"][0] != first["beta"]["usage.csv"][0]
    assert b"2026-03-05,Maya,2026,4," in beta["usage.csv"][2]

    # From scratch (no record of earlier folders): the same bytes, manifest times aside.
    for slug in ("acme", "beta"):
        (settings.export_dir / slug / PUBLISHED).unlink()
    assert main(["run"]) == 0
    for slug, before in (("acme", first["acme"]), ("beta", beta)):
        again = files(settings, slug)
        assert again["usage.csv"][0] != before["usage.csv"][0]  # written anew
        for name in ("usage.csv", "users.csv", "subscriptions.csv"):
            assert again[name][2] == before[name][2], (slug, name)
        listed = [{k: v for k, v in entry.items() if k != "sha256" or not
                   entry["name"].endswith(".xlsx")}
                  for entry in json.loads(again["manifest.json"][2])["files"]]
        assert listed == [{k: v for k, v in entry.items() if k != "sha256" or not
                           entry["name"].endswith(".xlsx")}
                          for entry in json.loads(before["manifest.json"][2])["files"]]


def test_a_folder_changed_by_hand_is_published_again(flexwh_env, orchestration_landing):
    settings = flexwh_env
    assert main(["run"]) == 3
    folder: Path = settings.export_dir / "acme" / settings.as_of.isoformat()
    (folder / "usage.csv").write_bytes(b"edited in a spreadsheet\r\n")
    assert main(["run"]) == 0
    assert (folder / "usage.csv").read_bytes().startswith(b"\xef\xbb\xbfTeam,")
