"""`flexwh fetch` against the local stand-in of the APS API (a real HTTP server on
127.0.0.1): ranges, rotation of the refresh token, every failure mode, nothing partial."""

from __future__ import annotations

import json
import stat
import time
from datetime import date

import duckdb
import pytest

from flexwh.cli import main
from tests.aps.conftest import CLIENT_SECRET, FIRST_REFRESH_TOKEN

FEEDS = ("subscriptions", "users", "usage")
RETRIES_AND_ONE = 6  # 429s in a row: urllib3 gives up after its 5 retries


def landed(settings) -> dict[str, bytes]:
    """Every file under the landing folder (hidden ones too), by relative path."""
    root = settings.landing_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()} if root.exists() else {}


def fetched_exports(settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("select export_id, team_id, start_date::varchar, "
                           "end_date::varchar, status, files, bytes from "
                           "audit.fetched_exports order by requested_at").fetchall()


def posts(api) -> list[tuple]:
    return [r for r in api.requests if r[0] == "POST" and r[1] == "/insights/v1/exports"]


def downloads(api) -> list[tuple]:
    return [r for r in api.requests if r[1].startswith("/dl/")]


def test_a_first_fetch_asks_for_365_days_and_lands_every_file(api, flexwh_env, capsys):
    assert main(["fetch"]) == 0

    [export] = api.exports.values()
    assert (export.start, export.end, export.team_id) == (date(2025, 4, 1), date(2026, 3, 31),
                                                          None)
    names = {f"{feed}/aps-{export.id}-{n:04d}.csv": data for n, (kind, data) in
             enumerate(export.files, start=1)
             for feed in [{"SUBSCRIPTIONS": "subscriptions", "USERS": "users",
                           "USAGE": "usage"}[kind]]}
    assert [kind for kind, _ in export.files] == ["SUBSCRIPTIONS", "USERS", "USAGE", "USAGE"]
    assert landed(flexwh_env) == names  # byte for byte, nothing else (no partial file)
    assert fetched_exports(flexwh_env) == [
        (export.id, "", "2025-04-01", "2026-03-31", "COMPLETED", 4,
         sum(len(d) for d in names.values()))]
    # The rotated refresh token is stored, private, and the one the server now honours.
    token_file = flexwh_env.data_dir / ".aps_refresh_token"
    stored = json.loads(token_file.read_text())
    assert stored["token"] == api.refresh_token != FIRST_REFRESH_TOKEN
    assert FIRST_REFRESH_TOKEN not in token_file.read_text()  # only its SHA-256
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert "APS: 1 exports fetched, 4 files" in out


def test_the_next_day_is_one_export_of_one_day_and_a_rerun_downloads_nothing(
        api, flexwh_env, monkeypatch, capsys):
    monkeypatch.setenv("FLEXWH_AS_OF", "2026-03-30")
    assert main(["fetch"]) == 0
    monkeypatch.setenv("FLEXWH_AS_OF", "2026-03-31")
    assert main(["fetch"]) == 0  # the stored (rotated) token is used, not the first one
    files, asked, fetched = landed(flexwh_env), len(posts(api)), len(downloads(api))

    assert main(["fetch"]) == 0
    assert "APS: nothing to fetch" in capsys.readouterr().out
    assert (landed(flexwh_env), len(posts(api)), len(downloads(api))) == (files, asked,
                                                                          fetched)
    ranges = [(start, end) for _id, _team, start, end, *_ in fetched_exports(flexwh_env)]
    assert ranges == [("2025-03-31", "2026-03-30"), ("2026-03-31", "2026-03-31")]
    last = [e for e in api.exports.values() if e.start == date(2026, 3, 31)][0]
    usage = b"".join(data for kind, data in last.files if kind == "USAGE")
    assert b"2026-03-31" in usage and b"2026-03-30" not in usage


def test_an_explicit_range_per_team_and_its_rerun(api, flexwh_env, monkeypatch):
    monkeypatch.setenv("FLEXWH_APS_TEAM_IDS", "700001, 700003")
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-10"]) == 0
    assert sorted((e.team_id, e.start.isoformat(), e.end.isoformat())
                  for e in api.exports.values()) == [
        ("700001", "2026-03-01", "2026-03-10"), ("700003", "2026-03-01", "2026-03-10")]
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-10"]) == 0
    assert len(posts(api)) == 2  # the same range of the same teams is not asked again


def test_429_waits_for_retry_after_and_5xx_are_retried(api, flexwh_env):
    api.switches.rate_limited = 2
    started = time.monotonic()
    assert main(["fetch"]) == 0
    assert time.monotonic() - started >= 2  # two 429s, each with Retry-After: 1
    assert [s for _m, _p, s in api.requests].count(429) == 2

    api.switches.unavailable = 3  # fewer than the retries: the fetch goes through
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-01"]) == 0
    assert [s for _m, _p, s in api.requests].count(503) == 3


def test_a_slow_export_is_polled_until_it_completes(api, flexwh_env):
    api.switches.polls_to_complete = 5
    assert main(["fetch"]) == 0
    [export] = api.exports.values()
    assert export.reads >= 5 and export.status == "COMPLETED"


def test_an_expired_download_url_is_asked_again(api, flexwh_env):
    api.switches.expired_downloads = 2
    assert main(["fetch"]) == 0
    assert [s for _m, p, s in api.requests if p.startswith("/dl/")].count(403) == 2
    assert len(landed(flexwh_env)) == 4


@pytest.mark.parametrize(("failure", "message"), [
    ("token_unavailable", "flexwh fetch: APS token endpoint answered HTTP 503"),
    ("unavailable", "flexwh fetch: APS reading export {id}: HTTP 503 after 5 retries"),
    ("rate_limited", "flexwh fetch: APS token endpoint answered HTTP 429 after every retry"),
    ("export_error", "flexwh fetch: APS export {id} ended with status ERROR"),
    ("expired_downloads", "flexwh fetch: APS export {id}: download 1 URL expired 3 times "
                          "in a row"),
    ("revoked", "flexwh fetch: APS refused the refresh token (revoked, expired or already "
                "used): authorise again and set FLEXWH_APS_REFRESH_TOKEN (docs/operations.md, "
                "Fetching from Autodesk)"),
])
def test_a_failure_exits_1_with_one_line_and_lands_nothing(api, flexwh_env, capsys, failure,
                                                           message):
    setattr(api.switches, failure, True if failure in ("export_error", "revoked") else 99)
    if failure == "rate_limited":
        api.switches.rate_limited = RETRIES_AND_ONE
    assert main(["fetch"]) == 1
    err = capsys.readouterr().err
    export_id = next(iter(api.exports), "")
    assert err.splitlines() == [message.format(id=export_id)]
    assert landed(flexwh_env) == {}
    if failure == "token_unavailable":  # a POST is not sent twice after a 5xx
        assert [r[1] for r in api.requests].count("/authentication/v2/token") == 1
    if failure in ("export_error", "expired_downloads"):
        [(_id, _team, _s, _e, status, files, size)] = fetched_exports(flexwh_env)
        assert (status, files, size) == ("ERROR" if failure == "export_error" else "FAILED",
                                         0, 0)


def test_an_export_asked_by_a_fetch_that_died_is_waited_for_not_asked_again(
        api, flexwh_env, aps_data):
    """The export list is read page by page to find it (150 exports: two pages)."""
    from aps import audit
    from aps.client import ApsClient
    from aps.settings import ApsSettings
    from aps_stand_in.server import Export
    from core.settings import Settings

    settings = Settings.from_env()
    aps = ApsSettings.from_env(settings)
    for n in range(150):
        api.exports[f"other-{n:03d}"] = Export(f"other-{n:03d}", None, date(2025, 1, 1),
                                               date(2025, 1, 1), status="EXPIRED")
    client = ApsClient(aps)
    asked = client.create_export(date(2025, 4, 1), date(2026, 3, 31), None)["id"]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        audit.ensure_table(con)
        audit.record_submitted(con, asked, "", date(2025, 4, 1), date(2026, 3, 31))

    assert main(["fetch"]) == 0
    assert len(posts(api)) == 1  # only the one the dead fetch made
    listings = [r for r in api.requests if r[:2] == ("GET", "/insights/v1/exports")]
    assert len(listings) == 2
    assert [row[0] for row in fetched_exports(flexwh_env)] == [asked]
    assert fetched_exports(flexwh_env)[0][4] == "COMPLETED"


def test_settings_errors_are_usage_errors(flexwh_env, monkeypatch, capsys):
    assert main(["fetch"]) == 2
    assert "APS is not configured" in capsys.readouterr().err
    monkeypatch.setenv("FLEXWH_APS_CLIENT_ID", "id")
    assert main(["fetch"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "flexwh fetch: FLEXWH_APS_CLIENT_SECRET is not set (APS needs a client id and secret)"]


def test_no_secret_in_any_output_of_a_fetch(api, flexwh_env, capsys, caplog):
    api.switches.rate_limited, api.switches.expired_downloads = 1, 1
    assert main(["fetch"]) == 0
    assert main(["fetch", "--from", "2026-02-01", "--to", "2026-02-01"]) == 0  # stored token
    api.switches.revoked = True
    assert main(["fetch", "--from", "2026-01-01", "--to", "2026-01-01"]) == 1
    secrets = {CLIENT_SECRET, *api.issued_refresh_tokens, *api.access_tokens}
    assert FIRST_REFRESH_TOKEN in secrets and len(api.access_tokens) == 2
    assert len(api.issued_refresh_tokens) == 3  # the first and two rotations
    captured = capsys.readouterr()
    texts = {"stdout": captured.out, "stderr": captured.err, "log records": caplog.text}
    for path in flexwh_env.data_dir.rglob("*"):
        if path.is_file() and not path.name.startswith(".aps_refresh_token"):
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    leaks = [(where, secret[:4]) for where, text in texts.items() for secret in secrets
             if secret in text]
    assert leaks == []
    assert captured.out and captured.err and len(texts) > 5  # the grep saw real outputs


def test_an_export_the_fetch_lost_track_of_is_resumed_not_asked_again(api, flexwh_env, capsys):
    api.switches.unavailable = 99  # every poll fails: the export stays SUBMITTED
    assert main(["fetch"]) == 1
    api.switches.unavailable = 0
    assert main(["fetch"]) == 0
    assert len(posts(api)) == 1 and len(landed(flexwh_env)) == 4
    assert [row[4] for row in fetched_exports(flexwh_env)] == ["COMPLETED"]


def test_a_manual_range_does_not_move_where_the_nightly_fetch_goes_on(api, flexwh_env,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv("FLEXWH_AS_OF", "2026-03-01")
    assert main(["fetch"]) == 0
    monkeypatch.setenv("FLEXWH_AS_OF", "2026-03-31")
    assert main(["fetch", "--from", "2026-03-11", "--to", "2026-03-21"]) == 0
    assert main(["fetch"]) == 0  # from 03-02: the manual range leaves no gap behind it
    assert [(e.start.isoformat(), e.end.isoformat()) for e in api.exports.values()][-1] == (
        "2026-03-02", "2026-03-31")
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-04-01"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "flexwh fetch: --to 2026-04-01 is after as_of 2026-03-31: nothing is fetched for "
        "days to come")


def test_files_that_cannot_land_are_one_line_and_the_export_is_kept(api, flexwh_env, capsys):
    (flexwh_env.landing_dir).mkdir(parents=True)
    (flexwh_env.landing_dir / "usage").write_text("a file where the feed folder goes")
    assert main(["fetch"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("flexwh fetch: APS export ") and "landing the files failed" in line
    assert not (flexwh_env.landing_dir / "subscriptions").exists() or not any(
        (flexwh_env.landing_dir / "subscriptions").iterdir())
