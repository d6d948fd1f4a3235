"""The FLEXWH_APS_* settings (spec/autodesk_api.md): read when a fetch starts, never logged."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import Settings, SettingsError, parse_seconds

DEFAULT_BASE_URL = "https://developer.api.autodesk.com"
REQUIRED = ("FLEXWH_APS_CLIENT_ID", "FLEXWH_APS_CLIENT_SECRET")


@dataclass(frozen=True)
class ApsSettings:
    client_id: str
    client_secret: str = field(repr=False)
    first_refresh_token: str | None = field(repr=False)  # only until the first rotation
    token_file: Path
    partial_dir: Path  # downloads in progress: in the landing folder (same file system for
    # the renames) but in no feed folder, so ingest never sees them
    team_ids: tuple[str, ...]  # () = one export of every team of the caller
    base_url: str
    poll_seconds: float  # first wait between two polls of an export; doubles up to 60 s
    export_timeout: float  # seconds an export may stay SUBMITTED before the fetch fails
    backoff_seconds: float  # urllib3's backoff factor between HTTP retries

    @classmethod
    def from_env(cls, settings: Settings, env: dict[str, str] | None = None
                 ) -> ApsSettings | None:
        """None when APS is not configured (no client id and secret): nothing to fetch."""
        env = dict(os.environ if env is None else env)
        given = [name for name in REQUIRED if env.get(name)]
        if not given:
            return None
        if len(given) < len(REQUIRED):
            missing = next(name for name in REQUIRED if name not in given)
            raise SettingsError(f"{missing} is not set (APS needs a client id and secret)")
        token_file = settings.data_dir / ".aps_refresh_token"
        first = env.get("FLEXWH_APS_REFRESH_TOKEN") or None
        if first is None and not token_file.exists():
            raise SettingsError("FLEXWH_APS_REFRESH_TOKEN is not set and no rotated token "
                                f"is stored in {token_file} (docs/operations.md, APS)")
        teams = tuple(t.strip() for t in env.get("FLEXWH_APS_TEAM_IDS", "").split(",")
                      if t.strip())
        return cls(
            client_id=env["FLEXWH_APS_CLIENT_ID"],
            client_secret=env["FLEXWH_APS_CLIENT_SECRET"],
            first_refresh_token=first,
            token_file=token_file,
            partial_dir=settings.landing_dir / ".aps_partial",
            team_ids=teams,
            base_url=(env.get("FLEXWH_APS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            poll_seconds=parse_seconds(env, "FLEXWH_APS_POLL_SECONDS", 5.0),
            export_timeout=parse_seconds(env, "FLEXWH_APS_EXPORT_TIMEOUT", 3600.0),
            backoff_seconds=parse_seconds(env, "FLEXWH_APS_BACKOFF_SECONDS", 1.0),
        )

