"""Header matching of feeds.md: map header cells to canonical columns or to `_extra`."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.feeds import Feed, header_key
from ingest.values import clean_text


class FileRejected(Exception):
    """The whole file is rejected; the message is the one-line reason."""


@dataclass(frozen=True)
class HeaderMatch:
    cells: tuple[str, ...]  # header cells, trimmed, in file order
    canonical: dict[str, int]  # canonical column -> 0-based position
    extra: dict[str, int]  # extra column name (unique) -> position

    def row_keys(self) -> tuple[str, ...]:
        """A unique name per position, to key a row as JSON: header cell or extra name."""
        names = {position: self.cells[position] for position in self.canonical.values()}
        names |= {position: name for name, position in self.extra.items()}
        return tuple(names[position] for position in range(len(self.cells)))

    def missing(self, feed: Feed) -> list[str]:
        missing = [name for name in feed.required if name not in self.canonical]
        if feed.one_of_required and not any(c in self.canonical for c in feed.one_of_required):
            missing.append(" or ".join(feed.one_of_required))
        return missing


def match_header(feed: Feed, cells: list[str]) -> HeaderMatch:
    """Match a header row; raises FileRejected for two cells naming one column."""
    lookup = {}
    for column in feed.columns:
        for name in (column.name, *column.aliases):
            lookup[header_key(name)] = column.name
    trimmed = tuple(clean_text(cell) or "" for cell in cells)
    canonical: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, cell in enumerate(trimmed):
        name = lookup.get(header_key(cell)) if cell else None
        if name is None:
            extra[_unique(cell or f"column_{position + 1}", extra)] = position
        elif name in canonical:
            first = trimmed[canonical[name]]
            raise FileRejected(
                f"ambiguous header: '{first}' and '{cell}' both name column {name}"
            )
        else:
            canonical[name] = position
    return HeaderMatch(trimmed, canonical, extra)


def _unique(name: str, taken: dict[str, int]) -> str:
    candidate, suffix = name, 2
    while candidate in taken:
        candidate, suffix = f"{name}_{suffix}", suffix + 1
    return candidate
