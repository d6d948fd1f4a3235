"""The stand-in: OAuth refresh with rotation, POST/GET/list of exports, signed download
URLs that expire, and switches (attributes of `Switches`, changed while it runs):

- `rate_limited`: the next N API requests answer 429 with Retry-After: 1;
- `unavailable`: the next N API reads (GET) answer 503;
- `token_unavailable`: the next N token requests answer 503;
- `polls_to_complete`: an export stays SUBMITTED for this many reads (a slow export);
- `export_error`: new exports end in ERROR;
- `expired_downloads`: the next N downloads answer 403 (the URL expired);
- `revoked`: the refresh token is refused.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sample_feeds.aps_exports import ApsExportData

ACCESS_SECONDS = 3600


@dataclass
class Switches:
    rate_limited: int = 0
    unavailable: int = 0
    token_unavailable: int = 0
    polls_to_complete: int = 1
    export_error: bool = False
    expired_downloads: int = 0
    revoked: bool = False


@dataclass
class Export:
    id: str
    team_id: str | None
    start: date
    end: date
    status: str = "SUBMITTED"
    reads: int = 0
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (report type, bytes)


class ApsStandIn:
    def __init__(self, data: ApsExportData, client_id: str = "stand-in-client",
                 client_secret: str = "stand-in-secret", refresh_token: str = "first-token"):
        self.data = data
        self.client_id, self.client_secret = client_id, client_secret
        self.refresh_token = refresh_token  # the one valid refresh token; rotates
        self.access_tokens: set[str] = set()
        self.issued_refresh_tokens: list[str] = [refresh_token]  # for tests that grep
        self.switches = Switches()
        self.exports: dict[str, Export] = {}
        self.downloads: dict[str, tuple[str, int]] = {}  # URL token -> export, file index
        self.requests: list[tuple[str, str, int]] = []  # method, path, status answered
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- life ----------------------------------------------------------------------------

    def start(self, port: int = 0) -> ApsStandIn:
        stand_in = self

        class Handler(_Handler):
            server_state = stand_in

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ApsStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the API -------------------------------------------------------------------------

    def token(self, form: dict[str, str], basic: str | None) -> tuple[int, dict]:
        if basic != f"{self.client_id}:{self.client_secret}":
            return 401, {"error": "invalid_client"}
        if (form.get("grant_type") != "refresh_token" or self.switches.revoked
                or form.get("refresh_token") != self.refresh_token):
            return 400, {"error": "invalid_grant"}
        access = secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        self.refresh_token = secrets.token_urlsafe(24)
        self.issued_refresh_tokens.append(self.refresh_token)
        return 200, {"access_token": access, "refresh_token": self.refresh_token,
                     "token_type": "Bearer", "expires_in": ACCESS_SECONDS}

    def create(self, body: dict[str, Any]) -> tuple[int, dict]:
        try:
            start = date.fromisoformat(body["startDate"][:10])
            end = date.fromisoformat(body["endDate"][:10])
        except (KeyError, TypeError, ValueError):
            return 400, {"error": "startDate and endDate are required with USAGE"}
        if (end - start).days >= 365:
            return 400, {"error": "a usage range covers at most 365 days"}
        team_id = body.get("teamId")
        export = Export(secrets.token_hex(8), team_id, start, end)
        if self.switches.export_error:
            export.status = "ERROR"
        else:
            export.files = [("SUBSCRIPTIONS", self.data.subscriptions(team_id)),
                            ("USERS", self.data.users(team_id)),
                            *(("USAGE", f) for f in self.data.usage(start, end, team_id))]
        self.exports[export.id] = export
        return 201, self._describe(export, with_downloads=False)

    def read(self, export_id: str) -> tuple[int, dict]:
        export = self.exports.get(export_id)
        if export is None:
            return 404, {"error": "no such export"}
        export.reads += 1
        if export.status == "SUBMITTED" and export.reads >= self.switches.polls_to_complete:
            export.status = "COMPLETED"
        return 200, self._describe(export, with_downloads=export.status == "COMPLETED")

    def listing(self, query: dict[str, str]) -> tuple[int, dict]:
        team_id = query.get("teamId")
        rows = [e for e in self.exports.values() if team_id in (None, e.team_id)]
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 100)), 100)
        page = rows[offset:offset + limit]
        return 200, {"pagination": {"totalResults": len(rows), "offset": offset,
                                    "limit": limit},
                     "exports": [self._describe(e, with_downloads=False) for e in page]}

    def download(self, token: str) -> tuple[int, bytes]:
        if token not in self.downloads:
            return 404, b"no such download"
        if self.switches.expired_downloads > 0:
            self.switches.expired_downloads -= 1
            return 403, b"the URL expired"
        export_id, index = self.downloads.pop(token)  # one use, like a signed URL
        return 200, self.exports[export_id].files[index][1]

    def _describe(self, export: Export, with_downloads: bool) -> dict[str, Any]:
        downloads = []
        if with_downloads:
            for index, (kind, _data) in enumerate(export.files):
                token = secrets.token_urlsafe(16)
                self.downloads[token] = (export.id, index)
                downloads.append({"type": kind, "downloadURL": f"{self.url}/dl/{token}"})
        reports = ["SUBSCRIPTIONS", "USERS", "USAGE"]
        return {"id": export.id, "timestamp": "2026-01-01T00:00:00.000Z",
                "status": export.status, "outputFormat": "CSV", "teamId": export.team_id,
                "teamName": self.data.team_ids.get(export.team_id or ""),
                "reports": reports, "downloads": downloads}


class _Handler(BaseHTTPRequestHandler):
    server_state: ApsStandIn

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: tests read `requests`

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, method: str) -> None:
        state = self.server_state
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with state.lock:
            status, payload = self._route(state, method, path, query, body)
            state.requests.append((method, path, status))
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "text/csv" if isinstance(payload, bytes)
                         else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, state: ApsStandIn, method: str, path: str, query: dict[str, str],
               body: bytes) -> tuple[int, Any]:
        if path.startswith("/dl/") and method == "GET":
            return state.download(path.removeprefix("/dl/"))
        switches = state.switches
        if switches.rate_limited > 0:
            switches.rate_limited -= 1
            return 429, {"error": "too many requests"}
        if switches.unavailable > 0 and method == "GET":
            switches.unavailable -= 1
            return 503, {"error": "unavailable"}
        if path == "/authentication/v2/token" and method == "POST":
            if switches.token_unavailable > 0:
                switches.token_unavailable -= 1
                return 503, {"error": "unavailable"}
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            return state.token(form, self._basic())
        if not path.startswith("/insights/v1/exports"):
            return 404, {"error": "not found"}
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in state.access_tokens:
            return 401, {"error": "unauthorized"}
        rest = path.removeprefix("/insights/v1/exports").strip("/")
        if method == "POST" and not rest:
            return state.create(json.loads(body or b"{}"))
        if method == "GET" and not rest:
            return state.listing(query)
        if method == "GET":
            return state.read(rest)
        return 405, {"error": "method not allowed"}

    def _basic(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            return base64.b64decode(header.removeprefix("Basic ")).decode()
        except ValueError:
            return None
