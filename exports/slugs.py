"""Folder names of teams (exports.md "team_slug"), unique and safe as one path segment."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

MAX_LENGTH = 60
_OUTSIDE = re.compile(r"[^a-z0-9]+")


def base_slug(team: str) -> str:
    """The team name lower-cased, runs outside a-z0-9 as '-', trimmed, at most 60 chars."""
    slug = _OUTSIDE.sub("-", team.lower()).strip("-")
    # Trim again after cutting so a cut inside a run does not leave a trailing '-'.
    return slug[:MAX_LENGTH].strip("-")


def name_hash(team: str, length: int = 8) -> str:
    """The first hex characters of SHA-256 of the team name (UTF-8)."""
    return hashlib.sha256(team.encode("utf-8")).hexdigest()[:length]


def team_slugs(teams: Iterable[str]) -> dict[str, str]:
    """Slug of every team: collisions and empty slugs get the hash suffix of exports.md."""
    names = list(dict.fromkeys(teams))
    groups: dict[str, list[str]] = defaultdict(list)
    for team in names:
        groups[base_slug(team)].append(team)
    slugs: dict[str, str] = {}
    hash_length = {team: 0 for team in names}  # 0: no suffix (yet)
    for base, members in groups.items():
        for team in members:
            if not base:
                hash_length[team] = 8
                slugs[team] = "team-" + name_hash(team)
            elif len(members) > 1:
                hash_length[team] = 8
                slugs[team] = f"{base}-{name_hash(team)}"
            else:
                slugs[team] = base
    _resolve_leftovers(slugs, hash_length)
    for slug in slugs.values():
        _check_safe(slug)
    return slugs


def _resolve_leftovers(slugs: dict[str, str], hash_length: dict[str, int]) -> None:
    """Make slugs unique when a suffixed slug equals another team's plain one.

    exports.md does not cover this (a team literally named "Acme 1a2b3c4d" next to two
    "Acme" teams, or equal 8-hex prefixes): a team without a suffix gets one first, then
    suffixes grow 8 hex characters at a time. Team names differ, so full hashes differ.
    """
    while True:
        owners: dict[str, list[str]] = defaultdict(list)
        for team, slug in slugs.items():
            owners[slug].append(team)
        clashes = [teams for teams in owners.values() if len(teams) > 1]
        if not clashes:
            return
        for teams in clashes:
            plain = [team for team in teams if hash_length[team] == 0]
            for team in plain or teams:
                hash_length[team] += 8
                suffix = name_hash(team, hash_length[team])
                stem = base_slug(team) or "team"
                slugs[team] = f"{stem}-{suffix}"


def _check_safe(slug: str) -> None:
    """Refuse a slug that could leave its parent folder (exports.md safety rule)."""
    if not slug or "/" in slug or "\\" in slug or ".." in slug or slug.startswith("."):
        raise ValueError(f"unsafe team slug {slug!r}")
