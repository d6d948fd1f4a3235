"""The alerts webhook (insights.md): one JSON POST of the alerts to deliver, which chat
tools' incoming webhooks accept ({"text": ..., "alerts": [...]}), with a timeout and
urllib3's retries. The URL is a secret of sorts (it lets anyone post): never logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = 10.0
RETRIES = 3


def alerts_text(alerts: Sequence[dict[str, Any]], as_of: str) -> str:
    critical = sum(1 for a in alerts if a["severity"] == "critical")
    lines = [f"Flex tokens, as of {as_of}: {len(alerts)} alerts ({critical} critical)"]
    lines += [f"- {a['team']}: {a['alert_type']} ({a['severity']}): {a['message']}"
              for a in alerts]
    return "\n".join(lines)


def post_alerts(url: str, alerts: Sequence[dict[str, Any]], as_of: str,
                backoff_seconds: float = 1.0) -> str | None:
    """POST the alerts; None when the receiver took them (2xx), else why not (one line)."""
    # urllib3 would log each retry with the URL, whose path is the channel's secret.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    # A 5xx is retried too: an alert posted twice is better than one never posted.
    retry = Retry(total=RETRIES, backoff_factor=backoff_seconds, allowed_methods=None,
                  status_forcelist=(429, 500, 502, 503, 504), raise_on_status=False)
    with requests.Session() as http:
        http.mount("http://", HTTPAdapter(max_retries=retry))
        http.mount("https://", HTTPAdapter(max_retries=retry))
        try:
            response = http.post(url, json={"text": alerts_text(alerts, as_of),
                                            "alerts": list(alerts)}, timeout=TIMEOUT)
        except requests.RequestException as error:
            return f"{type(error).__name__} after {RETRIES} retries"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code} after {RETRIES} retries"
