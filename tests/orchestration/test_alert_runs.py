"""Alerts over several nightly runs: is_new, alerts.json, the webhook to a local receiver
(127.0.0.1) that fails then recovers, and the exit codes (insights.md)."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flexwh.cli import main

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

USAGE_HEADER = "team,day_used,product_name,version,tokens_used,autodesk_id\n"
BETA_USAGE = "".join(f"Beta,{date(2026, 3, 25) + timedelta(days=n)},Revit,2026,20,b1\n"
                     for n in range(7))


class Receiver:
    """A webhook receiver answering `status` to every POST, keeping the bodies."""

    def __init__(self) -> None:
        self.status, self.bodies = 500, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def alerts_file(settings, team: str) -> list[dict]:
    return json.loads((settings.export_dir / team / "2026-03-31" / "alerts.json").read_text())


def test_alerts_over_three_runs_with_a_webhook_that_fails_then_recovers(
        flexwh_env, receiver, monkeypatch, capsys):
    landing = flexwh_env.landing_dir
    (landing / "usage").mkdir(parents=True)
    (landing / "subscriptions").mkdir()
    (landing / "usage" / "beta.csv").write_text(USAGE_HEADER + BETA_USAGE)
    (landing / "subscriptions" / "packs.csv").write_text(
        "subscription_id,team,offering_name,seat_quantity,start_date,end_date\n"
        "B1,Beta,Flex Tokens,1000,2025-06-30,2026-06-29\n")
    monkeypatch.setenv("FLEXWH_ALERT_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("FLEXWH_ALERT_WEBHOOK_BACKOFF_SECONDS", "0.01")

    # 1. Two new warnings; the receiver fails every try: delivered never, exit 3 (not 1).
    assert main(["run"]) == 3
    out = capsys.readouterr().out
    assert "alert_delivery: 2 alerts not delivered (HTTP 500 after 3 retries)" in out
    assert "failed: alert_delivery alerts_delivered (WARN)" in out
    assert len(receiver.bodies) == 4  # the POST and its 3 retries
    body = receiver.bodies[0]
    assert [(a["team"], a["alert_type"], a["subject"], a["is_new"]) for a in body["alerts"]] \
        == [("Beta", "expiring_unused", "B1", True), ("Beta", "usage_spike", "", True)]
    assert body["text"].startswith("Flex tokens, as of 2026-03-31: 2 alerts (0 critical)")
    assert [(a["alert_type"], a["is_new"]) for a in alerts_file(flexwh_env, "beta")] == [
        ("expiring_unused", True), ("usage_spike", True)]

    # 2. Nothing new, the receiver works: the alerts not delivered go now, no longer new.
    receiver.status, receiver.bodies = 200, []
    assert main(["run"]) == 0
    assert "alert_delivery: 2 alerts, 2 delivered to the webhook" in capsys.readouterr().out
    [body] = receiver.bodies
    assert [(a["alert_type"], a["is_new"]) for a in body["alerts"]] == [
        ("expiring_unused", False), ("usage_spike", False)]
    assert [a["is_new"] for a in alerts_file(flexwh_env, "beta")] == [False, False]

    # 3. A team consuming without a pack: one new critical alert, the only one sent; the
    #    WARN check names the team (exit 3).
    receiver.bodies = []
    (landing / "usage" / "delta.csv").write_text(
        USAGE_HEADER + "Delta,2026-01-10,AutoCAD,2026,50,d1\n")
    assert main(["run"]) == 3
    out = capsys.readouterr().out
    assert "failed: marts/fct_alerts no_critical_alerts (WARN): critical alerts: Delta " \
           "(unallocated)" in out
    [body] = receiver.bodies
    assert [(a["team"], a["alert_type"], a["severity"]) for a in body["alerts"]] == [
        ("Delta", "unallocated", "critical")]
    assert alerts_file(flexwh_env, "delta")[0]["message"] == \
        "50.000 tokens were consumed with no token pack to cover them."
    assert main(["status"]) == 0
    assert "alerts: 3 (1 critical, 2 warnings)" in capsys.readouterr().out
