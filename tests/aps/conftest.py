"""A stand-in of the APS API on 127.0.0.1 per test, serving the demo teams up to AS_OF."""

from __future__ import annotations

from datetime import date

import pytest

from aps_stand_in.server import ApsStandIn
from sample_feeds.aps_exports import ApsExportData

END = date(2026, 3, 31)  # tests/conftest.py's AS_OF: the last day of usage
CLIENT_SECRET = "s3cret-client-Vq8tLm2x"
FIRST_REFRESH_TOKEN = "first-refresh-Zk4pW9ea"


@pytest.fixture(scope="session")
def aps_data() -> ApsExportData:
    return ApsExportData("demo", 42, END)


@pytest.fixture
def api(aps_data, flexwh_env, monkeypatch) -> ApsStandIn:
    """The stand-in, started, and the FLEXWH_APS_* settings that point at it (fast polls
    and retries: the waits are the same code, shorter)."""
    with ApsStandIn(aps_data, client_secret=CLIENT_SECRET,
                    refresh_token=FIRST_REFRESH_TOKEN) as stand_in:
        for name, value in {
            "FLEXWH_APS_BASE_URL": stand_in.url, "FLEXWH_APS_CLIENT_ID": stand_in.client_id,
            "FLEXWH_APS_CLIENT_SECRET": CLIENT_SECRET,
            "FLEXWH_APS_REFRESH_TOKEN": FIRST_REFRESH_TOKEN,
            "FLEXWH_APS_POLL_SECONDS": "0.02", "FLEXWH_APS_BACKOFF_SECONDS": "0.01",
        }.items():
            monkeypatch.setenv(name, value)
        yield stand_in
