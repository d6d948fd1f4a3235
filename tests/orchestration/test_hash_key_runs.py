"""A run never re-keys users by accident (issue 10): a key other than the warehouse's stops
the run before any step (exit 2, one line); `--rotate-hash-key` re-keys every user."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from flexwh.cli import main

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

NEW_KEY = "the-new-key-after-a-leak-0001"
USER_IDS = {"U1", "U2", "e:bob@beta.example"}  # the fixture feeds' users, worked by hand


def user_keys(settings, schema_table: str = "main.fct_daily_usage") -> set[str]:
    serving = settings.serving_dir / "flex_reporting.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        return {key for (key,) in con.execute(f"select user_key from {schema_table}").fetchall()}


def hmac_keys(key: str) -> set[str]:
    return {hmac.new(key.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]
            for user_id in USER_IDS}


def test_another_key_is_refused_then_rotated_on_purpose(flexwh_env, orchestration_landing,
                                                        monkeypatch, capsys):
    assert main(["run"]) == 3  # the fixture's `abc` row is rejected
    old = user_keys(flexwh_env)
    capsys.readouterr()

    monkeypatch.setenv("FLEXWH_HASH_KEY", NEW_KEY)
    assert main(["run"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("flexwh run: FLEXWH_HASH_KEY: not the key the warehouse's user "
                           "keys were made with")
    assert NEW_KEY not in line
    assert user_keys(flexwh_env) == old  # nothing was built or published

    monkeypatch.delenv("FLEXWH_HASH_KEY")  # no key anywhere: no new key file either
    assert main(["run"]) == 2
    assert "FLEXWH_HASH_KEY is not set" in capsys.readouterr().err
    assert not (flexwh_env.data_dir / ".hash_key").exists()

    monkeypatch.setenv("FLEXWH_HASH_KEY", NEW_KEY)
    assert main(["run", "--rotate-hash-key"]) == 0

    assert user_keys(flexwh_env) == hmac_keys(NEW_KEY)
    assert user_keys(flexwh_env, "exports.exp_user_directory") == hmac_keys(NEW_KEY)
    with duckdb.connect(str(flexwh_env.warehouse), read_only=True) as con:
        runs = con.execute("select outcome, exit_code, full_refresh from audit.runs "
                           "order by started_at").fetchall()
    assert runs == [("warnings", 3, False), ("failed", 2, False), ("failed", 2, False),
                    ("success", 0, True)]
