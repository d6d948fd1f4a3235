"""OAuth 2.0 refresh-token flow: every refresh returns a new refresh token and retires the
old one, so the new one is stored (0600, written beside and renamed) before anything else.

The stored token is used from then on; FLEXWH_APS_REFRESH_TOKEN is used again only when it
holds a token not used before (the admin authorised anew). Only a SHA-256 of that first
token is kept beside the stored one, to tell the two apart.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from aps.errors import ApsError
from aps.settings import ApsSettings

TOKEN_PATH = "/authentication/v2/token"
SCOPE = "data:read data:write"
EARLY_SECONDS = 120  # refresh this long before the access token expires


@dataclass
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - EARLY_SECONDS


def refresh(session: requests.Session, aps: ApsSettings, timeout: float) -> AccessToken:
    """A new access token; the rotated refresh token is on disk when this returns."""
    response = session.post(
        aps.base_url + TOKEN_PATH,
        auth=(aps.client_id, aps.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": current_refresh_token(aps),
              "scope": SCOPE},
        timeout=timeout,
    )
    if response.status_code in (400, 401, 403):
        raise ApsError("APS refused the refresh token (revoked, expired or already used): "
                       "authorise again and set FLEXWH_APS_REFRESH_TOKEN "
                       "(docs/operations.md, Fetching from Autodesk)")
    if response.status_code != 200:
        retried = response.status_code == 429  # a POST is not retried after a 5xx
        raise ApsError(f"APS token endpoint answered HTTP {response.status_code}"
                       + (" after every retry" if retried else ""))
    try:
        body = response.json()
        rotated = body["refresh_token"]
    except (ValueError, KeyError, TypeError):
        raise ApsError("APS token endpoint answered without a refresh token") from None
    store_refresh_token(aps, str(rotated))  # first: the token just sent no longer works
    try:
        access, expires_in = body["access_token"], float(body.get("expires_in", 3600))
    except (KeyError, TypeError, ValueError):
        raise ApsError("APS token endpoint answered without an access token") from None
    return AccessToken(access, time.monotonic() + expires_in)


def current_refresh_token(aps: ApsSettings) -> str:
    stored = _stored(aps)
    first = aps.first_refresh_token
    if first and (stored is None or stored.get("seed") != _digest(first)):
        return first  # never used: a new authorisation replaces what is stored
    if stored is not None:
        return stored["token"]
    raise ApsError(f"no APS refresh token: set FLEXWH_APS_REFRESH_TOKEN ({aps.token_file} "
                   "is missing)")


def store_refresh_token(aps: ApsSettings, token: str) -> None:
    """The token and the digest of the FLEXWH_APS_REFRESH_TOKEN it descends from, in one
    file replaced by one rename: never one without the other."""
    stored = _stored(aps) or {}
    seed = _digest(aps.first_refresh_token) if aps.first_refresh_token else stored.get("seed")
    _write_private(aps.token_file, json.dumps({"token": token, "seed": seed}) + "\n")


def _stored(aps: ApsSettings) -> dict | None:
    try:
        document = json.loads(aps.token_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("token"), str):
        raise ApsError(f"{aps.token_file} is not a stored APS token: remove it and set "
                       "FLEXWH_APS_REFRESH_TOKEN")
    return document


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _write_private(path: Path, text: str) -> None:
    """Mode 0600 from the first byte, replaced in one rename: never half a token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)
