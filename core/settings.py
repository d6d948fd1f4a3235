"""Every setting of operations.md, read from the environment in one place.

Nothing happens at import time: `Settings.from_env()` reads the variables when called,
and the hash key is only read (or created) when `hash_key()` is asked for it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)
MIN_HASH_KEY_LENGTH = 16
# DuckDB's memory_limit forms: a number and a unit (4GB, 1500MB, 4 GiB), or a share of the
# machine's memory (80%). Below 100 MB DuckDB fails its first real query.
_MEMORY_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?|(\d+(?:\.\d+)?)\s*%",
                           re.IGNORECASE)
_MIN_MEMORY_BYTES = 100 * 1000**2


class SettingsError(ValueError):
    """A setting has a value the pipeline cannot use; the message names the variable."""


def yesterday_utc() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse: Path
    serving_dir: Path
    export_dir: Path
    as_of: date
    export_retention_days: int
    memory_limit: str
    threads: int
    hash_key_env: str | None
    run_lock_timeout: float = 60.0  # FLEXWH_RUN_LOCK_TIMEOUT: seconds a run waits for another
    # FLEXWH_ALERT_*: the thresholds of insights.md's alerts, as the dbt models read them.
    alert_thresholds: tuple[tuple[str, str], ...] = ()
    # FLEXWH_ALERT_WEBHOOK_URL: where new alerts are POSTed (None: nowhere). Not in repr:
    # whoever has the URL can post to the channel.
    alert_webhook_url: str | None = field(default=None, repr=False)
    alert_webhook_backoff: float = 1.0  # FLEXWH_ALERT_WEBHOOK_BACKOFF_SECONDS

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("FLEXWH_DATA_DIR") or "./data")
        if data_dir.exists() and not data_dir.is_dir():
            raise SettingsError(f"FLEXWH_DATA_DIR: not a folder: {data_dir}")
        hash_key_env = env.get("FLEXWH_HASH_KEY") or None
        if hash_key_env:
            _checked_key(hash_key_env, "FLEXWH_HASH_KEY")

        def path(name: str, default: Path) -> Path:
            return Path(env[name]) if env.get(name) else default

        return cls(
            data_dir=data_dir,
            landing_dir=path("FLEXWH_LANDING_DIR", data_dir / "landing"),
            warehouse=path("FLEXWH_WAREHOUSE", data_dir / "warehouse.duckdb"),
            serving_dir=path("FLEXWH_SERVING_DIR", data_dir / "serving"),
            export_dir=path("FLEXWH_EXPORT_DIR", data_dir / "exports"),
            as_of=_parse_as_of(env.get("FLEXWH_AS_OF")),
            export_retention_days=_parse_int(env, "FLEXWH_EXPORT_RETENTION_DAYS", 14),
            memory_limit=_parse_memory_limit(env.get("FLEXWH_MEMORY_LIMIT")),
            threads=_parse_int(env, "FLEXWH_THREADS", os.cpu_count() or 1),
            hash_key_env=hash_key_env,
            run_lock_timeout=parse_seconds(env, "FLEXWH_RUN_LOCK_TIMEOUT", 60.0),
            alert_thresholds=_alert_thresholds(env),
            alert_webhook_url=_webhook_url(env.get("FLEXWH_ALERT_WEBHOOK_URL")),
            alert_webhook_backoff=parse_seconds(env, "FLEXWH_ALERT_WEBHOOK_BACKOFF_SECONDS",
                                                 1.0),
        )

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def hash_key_file(self) -> Path:
        return self.data_dir / ".hash_key"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    def with_as_of(self, as_of: date) -> Settings:
        return replace(self, as_of=as_of)

    def hash_key(self) -> str:
        """The secret for user keys: FLEXWH_HASH_KEY, else the key file (created once)."""
        if self.hash_key_env:
            return _checked_key(self.hash_key_env, "FLEXWH_HASH_KEY")
        key_file = self.hash_key_file
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            log.warning("FLEXWH_HASH_KEY is not set: created a new hash key in %s", key_file)
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise SettingsError(f"{key_file}: the hash key file cannot be read: {reason}") \
                from None
        return _checked_key(key, str(key_file))

    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.memory_limit, "threads": str(self.threads)}



def _checked_key(key: str, source: str) -> str:
    """A short key is guessable, and dbt masks every occurrence of a secret in its output:
    a key like "k" would garble model names in dbt's logs and results."""
    if len(key) < MIN_HASH_KEY_LENGTH:
        raise SettingsError(f"{source}: the hash key must have at least "
                            f"{MIN_HASH_KEY_LENGTH} characters")
    return key


def _parse_memory_limit(value: str | None) -> str:
    if not value:
        return "4GB"
    found = _MEMORY_LIMIT.fullmatch(value.strip())
    if found and found[4] is not None:
        enough = 1 <= float(found[4]) <= 100
    elif found and found[2]:
        base = 1024 if found[3] else 1000
        enough = float(found[1]) * base ** " kmgt".index(found[2].lower()) >= _MIN_MEMORY_BYTES
    else:  # no unit: DuckDB refuses a bare number
        raise SettingsError(f"FLEXWH_MEMORY_LIMIT: not a memory size such as 4GB, 1500MB "
                            f"or 80%: {value!r}")
    if not enough:
        raise SettingsError(f"FLEXWH_MEMORY_LIMIT: out of range (at least 100MB, "
                            f"or 1% to 100%): {value!r}")
    return value.strip()


def _parse_as_of(value: str | None) -> date:
    if not value:
        return yesterday_utc()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(f"FLEXWH_AS_OF: not a date (YYYY-MM-DD): {value!r}") from None


def parse_seconds(env: dict[str, str], name: str, default: float) -> float:
    """A number of seconds ≥ 0 from `env[name]`, `default` when unset."""
    value = env.get(name)
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise SettingsError(f"{name}: not a number of seconds: {value!r}") from None
    if seconds < 0:
        raise SettingsError(f"{name}: must be 0 or more: {value!r}")
    return seconds


def _parse_int(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}: not a whole number: {value!r}") from None
    if number < 1 and name != "FLEXWH_EXPORT_RETENTION_DAYS":
        raise SettingsError(f"{name}: must be at least 1: {value!r}")
    return number


# insights.md's alert thresholds and their defaults: whole days, then tokens and a factor.
ALERT_DEFAULTS = {
    "FLEXWH_ALERT_RUN_OUT_DAYS": "60",
    "FLEXWH_ALERT_RUN_OUT_CRITICAL_DAYS": "14",
    "FLEXWH_ALERT_EXPIRING_DAYS": "90",
    "FLEXWH_ALERT_SPIKE_MIN_TOKENS": "100",
    "FLEXWH_ALERT_SPIKE_FACTOR": "2",
}


def _alert_thresholds(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Each threshold as the text the dbt models are given: days a whole number ≥ 0,
    tokens and the factor a decimal ≥ 0 (at most 3 decimals, as tokens)."""
    values = []
    for name, default in ALERT_DEFAULTS.items():
        value = (env.get(name) or default).strip()
        pattern = r"\d{1,5}" if name.endswith("_DAYS") else r"\d{1,12}(\.\d{1,3})?"
        if not re.fullmatch(pattern, value):
            kind = "a whole number of days" if name.endswith("_DAYS") else "a number ≥ 0"
            raise SettingsError(f"{name}: not {kind}: {value!r}")
        values.append((name, value))
    return tuple(values)


def _webhook_url(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    if not re.match(r"https?://[^/\s]+", value.strip()):
        # The value itself is not shown: it may carry the channel's secret token.
        raise SettingsError("FLEXWH_ALERT_WEBHOOK_URL: not an http(s) URL")
    return value.strip()
