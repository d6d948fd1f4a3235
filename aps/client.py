"""The Insights v1 export endpoints over one requests session.

HTTP-level retries are urllib3's (`Retry`): 429 after its Retry-After, 5xx and dropped
connections with exponential backoff, a bounded number of times. What is left here is
what HTTP retries cannot know: an expired access token, a download URL that expired
(403/404: the export is asked again for fresh URLs) and the polling of an export.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from aps.errors import ApsError
from aps.settings import ApsSettings
from aps.tokens import AccessToken, refresh

EXPORTS_PATH = "/insights/v1/exports"
REPORTS = ("SUBSCRIPTIONS", "USERS", "USAGE")
RETRIES = 5
TIMEOUT = 60.0  # seconds to connect or between two bytes of an answer
MAX_POLL_SECONDS = 60.0
DOWNLOAD_ATTEMPTS = 3  # of one file, each with URLs asked anew
CHUNK = 1 << 20


class PostSafeRetry(Retry):
    """urllib3's retries, except that a POST is asked again only when the server refused
    it before doing anything (429) or it never left (a connect error, always retried): a
    token refresh that failed after the server rotated the token, or an export request
    that may have created an export, is not sent twice."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code == 429 and super().is_retry("GET", status_code,
                                                           has_retry_after)
        return super().is_retry(method, status_code, has_retry_after)


def session(aps: ApsSettings) -> requests.Session:
    quiet_urllib3()
    retry = PostSafeRetry(total=RETRIES, connect=RETRIES, read=RETRIES, status=RETRIES,
                          backoff_factor=aps.backoff_seconds, backoff_max=60,
                          status_forcelist=(429, 500, 502, 503, 504),
                          allowed_methods=frozenset({"GET"}),
                          respect_retry_after_header=True, raise_on_status=False)
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry))
    http.mount("https://", HTTPAdapter(max_retries=retry))
    return http


def quiet_urllib3() -> None:
    """urllib3 logs each retry with the URL it retries (a signed download URL, a webhook's
    secret path): only its errors reach the log."""
    logging.getLogger("urllib3").setLevel(logging.ERROR)


class ApsClient:
    def __init__(self, aps: ApsSettings, http: requests.Session | None = None):
        self.aps = aps
        self.http = http or session(aps)
        self._token: AccessToken | None = None
        self._downloads: dict[str, list[dict[str, str]]] = {}  # per export, last asked

    # --- exports ------------------------------------------------------------------------

    def create_export(self, start: date, end: date, team_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "outputFormat": "CSV", "reports": list(REPORTS),
            "startDate": f"{start.isoformat()}T00:00:00.000Z",
            "endDate": f"{end.isoformat()}T23:59:59.999Z",
        }
        if team_id:
            body["teamId"] = team_id
        return self._json("POST", EXPORTS_PATH, "asking for an export", json=body)

    def export(self, export_id: str) -> dict[str, Any]:
        return self._json("GET", f"{EXPORTS_PATH}/{export_id}", f"reading export {export_id}")

    def exports(self, team_id: str | None) -> Iterator[dict[str, Any]]:
        """Every export the caller can see (of one team), page by page."""
        offset, limit = 0, 100
        while True:
            params: dict[str, Any] = {"limit": limit, "offset": offset}
            if team_id:
                params["teamId"] = team_id
            page = self._json("GET", EXPORTS_PATH, "listing exports", params=params)
            rows = page.get("exports") or []
            yield from rows
            total = int((page.get("pagination") or {}).get("totalResults", 0))
            offset += len(rows)
            if not rows or offset >= total:
                return

    def wait(self, export_id: str) -> dict[str, Any]:
        """The export once COMPLETED; polled with a doubling wait. ERROR, EXPIRED or a
        timeout is an ApsError."""
        deadline = time.monotonic() + self.aps.export_timeout
        pause = self.aps.poll_seconds
        while True:
            export = self.export(export_id)
            status = export.get("status")
            if status == "COMPLETED":
                return export
            if status in ("ERROR", "EXPIRED"):
                raise ApsError(f"APS export {export_id} ended with status {status}", "ERROR")
            if time.monotonic() + pause > deadline:
                raise ApsError(f"APS export {export_id} not completed after "
                               f"{self.aps.export_timeout:.0f} s (status {status})")
            time.sleep(pause)
            pause = min(pause * 2, MAX_POLL_SECONDS)

    def use_downloads(self, export_id: str, export: dict[str, Any]) -> list[dict[str, str]]:
        """The downloads of a completed export; the first attempt of each file uses these
        URLs, so a file's type and its bytes come from the same list."""
        self._downloads[export_id] = export.get("downloads") or []
        return self._downloads[export_id]

    def download(self, export_id: str, index: int, target: Path) -> int:
        """The index-th download of a completed export into `target`; its size in bytes.
        An expired URL (403/404) is asked again from the export, a bounded number of times."""
        for attempt in range(DOWNLOAD_ATTEMPTS):
            url = self._download_url(export_id, index, ask_again=attempt > 0)
            try:
                with self.http.get(url, stream=True, timeout=TIMEOUT) as response:
                    if response.status_code in (403, 404):
                        continue  # the URL expired: ask the export for a new one
                    if response.status_code != 200:
                        raise ApsError(f"APS export {export_id}: download {index + 1} "
                                       f"answered HTTP {response.status_code}")
                    size = 0
                    with target.open("wb") as file:
                        for chunk in response.iter_content(CHUNK):
                            file.write(chunk)
                            size += len(chunk)
                    return size
            except requests.RequestException as error:
                raise ApsError(f"APS export {export_id}: download {index + 1} failed: "
                               f"{type(error).__name__}") from None
        raise ApsError(f"APS export {export_id}: download {index + 1} URL expired "
                       f"{DOWNLOAD_ATTEMPTS} times in a row", "FAILED")

    def _download_url(self, export_id: str, index: int, ask_again: bool) -> str:
        if ask_again or export_id not in self._downloads:
            self._downloads[export_id] = self.export(export_id).get("downloads") or []
        downloads = self._downloads[export_id]
        if index >= len(downloads):
            raise ApsError(f"APS export {export_id}: download {index + 1} is no longer listed")
        return downloads[index]["downloadURL"]

    # --- requests -----------------------------------------------------------------------

    def _json(self, method: str, path: str, doing: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(2):
            try:
                response = self.http.request(method, self.aps.base_url + path,
                                             headers={"Authorization": self._bearer()},
                                             timeout=TIMEOUT, **kwargs)
            except requests.RequestException as error:
                # The exception text can hold the URL: the type is enough and never leaks.
                raise ApsError(f"APS {doing}: {type(error).__name__} after {RETRIES} "
                               "retries") from None
            if response.status_code == 401 and attempt == 0:
                self._token = None  # expired or revoked early: one new token, then fail
                continue
            if response.status_code == 429:
                raise ApsError(f"APS {doing}: still rate limited (HTTP 429) after "
                               f"{RETRIES} retries")
            if response.status_code >= 400:
                raise ApsError(f"APS {doing}: HTTP {response.status_code}"
                               + (f" after {RETRIES} retries" if response.status_code >= 500
                                  else ""))
            try:
                return response.json()
            except ValueError:
                raise ApsError(f"APS {doing}: the answer is not JSON") from None
        raise ApsError(f"APS {doing}: HTTP 401 with a new access token")

    def _bearer(self) -> str:
        if self._token is None or not self._token.fresh():
            try:
                self._token = refresh(self.http, self.aps, TIMEOUT)
            except requests.RequestException as error:
                raise ApsError(f"APS token endpoint: {type(error).__name__} after {RETRIES} "
                               "retries") from None
        return f"Bearer {self._token.value}"
