"""Hostile landing folders for the ingest fuzz test, deterministic from a seed.

`build_landing(root, seed)` writes `root/landing/<feed>/...` (and link targets under
`root/outside`) with valid files of the five feeds and mutations of them, and returns one
`HostileFile` per landing entry. Each carries an expectation computed here from the
file's bytes and the rules of feeds.md alone (an RFC 4180 reader and a header matcher of
our own), never by calling ingest/: the statuses the file may get and, where it can be
known, its number of data rows (non-blank rows after the header; a quoted cell spanning
lines is one row). Nothing here depends on the clock or the environment, except that an
unreadable file is only made unreadable where chmod 000 prevents reading (not as root).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import string
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

# --- The feeds of feeds.md -------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "text"  # text | date | tokens | signed | whole | boolean | event_type
    required: bool = False
    aliases: tuple[str, ...] = ()


TEAM = Col("team", "text", True, ("team_alias", "team_name"))
FEEDS: dict[str, tuple[Col, ...]] = {
    "usage": (
        Col("team", "text", True, ("team_alias", "team_name", "teamName")),
        Col("day_used", "date", True, ("usage_date", "usageDate", "date")),
        Col("product_name", "text", True, ("product", "productName")),
        Col("version", "text", False, ("product_version", "productVersion")),
        Col("tokens_used", "tokens", True, ("tokens", "tokensConsumed")),
        Col("autodesk_id", "text", False, ("autodesk id", "userId", "user_id")),
        Col("hashed_autodesk_id", "text", False, ("hashedUserId",)),
        Col("email", "text", False, ("emailAddress", "email_address")),
        Col("first_name", "text", False, ("firstName",)),
        Col("last_name", "text", False, ("lastName",)),
        Col("feature", "text", False, ("featureId", "feature_id")),
    ),
    "subscriptions": (
        Col("subscription_id", "text", True, ("subscription id",)),
        TEAM,
        Col("offering_name", "text", True, ("offering", "product")),
        Col("seat_quantity", "whole", True, ("quantity", "tokens")),
        Col("start_date", "date", True),
        Col("end_date", "date"),
        Col("subscription_status", "text", False, ("status",)),
        Col("term"),
        Col("contract_number"),
        Col("autorenew_date", "date"),
        Col("reseller_name"),
        Col("reseller_email"),
    ),
    "users": (
        TEAM,
        Col("autodesk_id", "text", False, ("autodesk id", "user_id")),
        Col("email"),
        Col("first_name"),
        Col("last_name"),
        Col("role"),
        Col("account_status", "text", False, ("status",)),
        Col("offering_name", "text", False, ("product",)),
        Col("product_name", "text", False, ("feature",)),
    ),
    "token_events": (
        Col("event_id", "text", True),
        Col("event_date", "date", True),
        Col("event_type", "event_type", True),
        Col("subscription_id"),
        Col("from_team"),
        Col("to_team"),
        Col("tokens", "signed"),
        Col("reason"),
    ),
    "team_settings": (
        TEAM,
        Col("pii_enabled", "boolean", True, ("personal_data", "show_personal_data")),
    ),
}
EXTENSIONS = {"usage": (".csv", ".xlsx"), "subscriptions": (".csv", ".xlsx"),
              "users": (".csv", ".xlsx"), "token_events": (".csv",), "team_settings": (".csv",)}
ONE_OF = {"users": ("autodesk_id", "email")}
FILE_SHARE = {"usage": 0.32, "users": 0.17, "subscriptions": 0.17, "token_events": 0.18,
              "team_settings": 0.16}


def header_key(cell: str) -> str:
    return re.sub(r"[ \-_]", "_", cell.strip().lower())


def header_problem(feed: str, cells: list[str]) -> str | None:
    """Why a header row does not name every required column exactly once; None when it does."""
    lookup = {header_key(n): c.name for c in FEEDS[feed] for n in (c.name, *c.aliases)}
    found: set[str] = set()
    for cell in cells:
        name = lookup.get(header_key(cell)) if cell.strip() else None
        if name in found:
            return f"ambiguous {name}"
        if name:
            found.add(name)
    missing = [c.name for c in FEEDS[feed] if c.required and c.name not in found]
    if feed in ONE_OF and not found & set(ONE_OF[feed]):
        missing.append(" or ".join(ONE_OF[feed]))
    return f"missing {', '.join(missing)}" if missing else None


# --- An RFC 4180 reader of our own ---------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*(?:""[^"]*)*)("?)')  # an unterminated cell runs to the end
_PLAIN = re.compile(r"[^,\r\n]*")


def csv_records(text: str, quoted_spans: list[tuple[int, int]] | None = None) -> list[list[str]]:
    """Records as a spreadsheet program reads them: line ends \\n, \\r\\n and lone \\r; a
    quoted cell may span lines; a quote inside an unquoted cell, and text after a closing
    quote, are kept as they are. `quoted_spans` collects (start, end) of quoted contents."""
    records, pos, end = [], 0, len(text)
    while pos < end:
        cells = []
        while True:
            if text.startswith('"', pos):
                match = _QUOTED.match(text, pos)
                if quoted_spans is not None:
                    quoted_spans.append((match.start(1), match.end(1)))
                value = match.group(1).replace('""', '"')
                tail = _PLAIN.match(text, match.end())
                value, pos = value + tail.group(), tail.end()
            else:
                match = _PLAIN.match(text, pos)
                value, pos = match.group(), match.end()
            cells.append(value)
            if pos < end and text[pos] == ",":
                pos += 1
                continue
            break
        pos += 2 if text.startswith("\r\n", pos) else 1
        records.append(cells)
    return records


def is_blank(cells: list[str | None]) -> bool:
    """Every cell empty or white space (feeds.md; a row of masks `*****` is not blank)."""
    return all(cell is None or not cell.strip() for cell in cells)


def decode_utf8(data: bytes) -> str | None:
    """The text of a UTF-8 file (one leading BOM dropped); None when not valid UTF-8."""
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return None


def expect_csv(feed: str, data: bytes) -> tuple[frozenset[str], int | None, str]:
    """Statuses a CSV file may get, its data rows (None: unknown) and a note."""
    text = decode_utf8(data)
    if text is None:
        return frozenset({"rejected"}), None, "not utf-8"
    rows = [cells for cells in csv_records(text) if not is_blank(cells)]
    if not rows:
        return frozenset({"loaded"}), 0, "no rows"
    problem = header_problem(feed, rows[0])
    status = "rejected" if problem else "loaded"
    return frozenset({status}), len(rows) - 1, problem or "header ok"


# --- What the generator returns ---------------------------------------------------------


@dataclass
class HostileFile:
    feed: str
    rel_path: str  # relative to the landing folder, with '/': what the audit row names
    tags: list[str]
    data: bytes | None  # the bytes a reader gets (a link's target); None: none to read
    data_rows: int | None = None  # None: unknown
    statuses: frozenset[str] | None = None  # None: any status
    note: str = ""
    hashed: bool = True  # ingest reads (and hashes) it: not so for links and lock files

    @property
    def sha256(self) -> str | None:
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()

    def describe(self, limit: int = 160) -> str:
        shown = "-" if self.data is None else repr(self.data[:limit]) + (
            f"...({len(self.data)} bytes)" if len(self.data) > limit else "")
        return f"{self.rel_path!r} [{','.join(self.tags)}] {shown}"


# --- Values ---------------------------------------------------------------------------------

TEXTS = ["Acme", "Bäckerei Müller", "Team 42", "日本チーム", "  padded  ", "*****", "", "a,b",
         'say "hi"', "O'Brien", "\u00a0nbsp\u00a0", "tab\there", "😀 emoji", "\ufeffbom",
         "Ωmega", "x" * 300]
MULTILINE = ["line1\nline2", "cr\rcell", "crlf\r\ncell", "\n", "trailing\n", "\r", "a\n\nb",
             '"\nquoted\n"']
ODD = {
    "date": ["0000-01-01", "9999-12-31", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30-01:00",
             "2026-02-29", "2024-02-29", "31/02/2026", "1e3", "2026-01-10T10:00:00Z",
             "2026-01-10 23:59:59.999999", "2026-13-01", " 2026-01-10 ", "20260110",
             "2026-1-5", "-2026-01-01", "2026-01-10T25:00", "0001-01-01", "1899-12-30"],
    "tokens": ["1e3", "1000000000000", "999999999999999.999", "1000000000000000", "-5", "-0",
               "+7", "7.0000", "1.2345", ".5", "1,5", "1 000", "NaN", "Infinity", "0x10",
               "\u0663", "0.0005", "00000000000000000001", "12.", "+", "1.000000000000000001"],
    "whole": ["100.0", "-1", "1e3", "1000000000000", "999999999999999", "1.5", "+3", "٣"],
    "boolean": ["maybe", "TRUE", "Yes", "n", "ON", "0", "2", "truee"],
    "event_type": ["transfer", "MOVE", "Merge", "ADJUSTMENT", " move "],
}
ODD["signed"] = ODD["tokens"] + ["-999999999999999.999", "-1000000000000000", "0", "-0.000"]


def good_value(rng: random.Random, kind: str) -> str:
    if kind == "date":
        return f"2026-0{rng.randint(1, 3)}-{rng.randint(1, 28):02d}"
    if kind in ("tokens", "whole"):
        return str(rng.randint(0, 5000))
    if kind == "signed":
        return str(rng.choice([-1, 1]) * rng.randint(1, 5000))
    if kind == "boolean":
        return rng.choice(["true", "false", "yes", "no", "y", "n", "1", "0", "on", "off"])
    if kind == "event_type":
        return rng.choice(["move", "merge", "adjustment"])
    return rng.choice(["Acme", "Beta", "Gamma", "Delta GmbH", "Épsilon"])


def row_values(rng: random.Random, feed: str, odd: float) -> dict[str, str]:
    """A row of canonical column -> text; `odd` is the share of odd values."""
    values = {c.name: good_value(rng, c.kind) for c in FEEDS[feed]}
    user = rng.randint(1, 99)
    for name in ("autodesk_id", "hashed_autodesk_id"):
        if name in values:
            values[name] = f"U{user}"
    if "email" in values:
        values["email"] = f"user{user}@example.com"
    if feed == "token_events":
        values.update(event_id=f"E{rng.randint(1, 10**6)}", subscription_id="S1",
                      from_team="Acme", to_team="Beta")
    if feed == "subscriptions":
        values.update(subscription_id=f"S{rng.randint(1, 999)}",
                      offering_name=rng.choice(["Flex", "Autodesk Flex", "AutoCAD"]))
        values["end_date"] = rng.choice(["", "2027-01-01"])
    for name in values:
        if rng.random() < odd:
            kind = next(c.kind for c in FEEDS[feed] if c.name == name)
            values[name] = rng.choice(ODD.get(kind, TEXTS) + TEXTS[:4])
    return values


# --- Headers ------------------------------------------------------------------------------

EXTRA_COLUMNS = ["Notes", "Export date", "", "Seat type", "Team notes", "  ", "Notes"]


@dataclass
class Header:
    cells: list[str]
    columns: list[str | None]  # canonical column per cell, None for an extra column
    tags: list[str] = field(default_factory=list)


def make_header(rng: random.Random, feed: str, hostile: bool = True,
                rejectable: bool = True) -> Header:
    """A header of the feed; `hostile`: aliases, case, extra columns, order; `rejectable`:
    sometimes a required column missing or a column named twice."""
    columns = [c for c in FEEDS[feed] if c.required or rng.random() < 0.6]
    if feed in ONE_OF and not {c.name for c in columns} & set(ONE_OF[feed]):
        columns.insert(1, next(c for c in FEEDS[feed] if c.name == ONE_OF[feed][0]))
    tags = []
    rejectable = hostile and rejectable
    if rejectable and rng.random() < 0.15:
        dropped = rng.choice([c for c in columns if c.required])
        columns.remove(dropped)
        tags.append("header-missing-column")
    cells, names = [], []
    for column in columns:
        if hostile and rng.random() < 0.4:
            cells.append(rng.choice(column.aliases or (column.name,)))
        else:
            cells.append(column.name)
        names.append(column.name)
    if rejectable and rng.random() < 0.1 and any(c.aliases for c in columns):
        column = rng.choice([c for c in columns if c.aliases])
        cells.append(rng.choice(column.aliases))
        names.append(column.name)
        tags.append("header-ambiguous")
    if hostile and rng.random() < 0.35:
        style = rng.choice(["upper", "title", "swapcase", "spaces", "hyphens", "padded"])
        convert = {"upper": str.upper, "title": str.title, "swapcase": str.swapcase,
                   "spaces": lambda c: c.replace("_", " "),
                   "hyphens": lambda c: c.replace("_", "-"),
                   "padded": lambda c: f" \t{c}\u00a0"}[style]
        cells = [convert(c) if rng.random() < 0.7 else c for c in cells]
        tags.append(f"header-{style}")
    if hostile and rng.random() < 0.3:
        for _ in range(rng.randint(1, 3)):
            position = rng.randint(0, len(cells))
            cells.insert(position, rng.choice(EXTRA_COLUMNS))
            names.insert(position, None)
        tags.append("header-extra-columns")
    if hostile and rng.random() < 0.3:
        order = list(range(len(cells)))
        rng.shuffle(order)
        cells, names = [cells[i] for i in order], [names[i] for i in order]
        tags.append("header-shuffled")
    return Header(cells, names, tags)


def data_row(rng: random.Random, feed: str, header: Header, odd: float) -> list[str]:
    values = row_values(rng, feed, odd)
    return [values[n] if n else rng.choice(TEXTS[:6]) for n in header.columns]


# --- Rendering CSV ------------------------------------------------------------------------

LINE_ENDS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def quote_cell(cell: str, style: str, rng: random.Random) -> str:
    needs = any(ch in cell for ch in ',"\r\n')
    if style == "never":
        return cell
    if style == "all" or needs or (style == "random" and rng.random() < 0.3):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def render(rows: list[list[str]], rng: random.Random, quoting: str, line_end: str,
           final_newline: bool) -> str:
    parts = []
    for index, row in enumerate(rows):
        end = LINE_ENDS[rng.choice(list(LINE_ENDS)) if line_end == "mixed" else line_end]
        last = index == len(rows) - 1
        parts.append(",".join(quote_cell(c, quoting, rng) for c in row)
                     + ("" if last and not final_newline else end))
    return "".join(parts)


# --- Mutations ------------------------------------------------------------------------------

BLANKISH = [[], [""], ["   "], ["\t"], [" ", " "], ["\u00a0"], ['""'], ["\u3000", ""]]


def mutate_rows(rng: random.Random, rows: list[list[str]], width: int,
                tags: list[str]) -> None:
    """Row-level mutations of the data rows (rows[0] is the header), in place."""
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        kind = rng.choice(["blank-lines", "whitespace-lines", "wide-row", "narrow-row",
                           "huge-field", "multiline-cells", "doubled-quotes", "mask-row",
                           "blank-cells-row", "blank-lines-before-header"])
        at = rng.randint(1, len(rows))
        if kind == "blank-lines":
            for _ in range(rng.randint(1, 4)):
                rows.insert(rng.randint(1, len(rows)), [])
        elif kind == "blank-lines-before-header":
            rows.insert(0, rng.choice(BLANKISH[:6]))
        elif kind == "whitespace-lines":
            rows.insert(at, [rng.choice(["   ", "\t", "\u00a0", " \u2003 "])
                             for _ in range(rng.choice([1, width]))])
        elif kind == "blank-cells-row":
            rows.insert(at, [""] * rng.choice([width, width + 3, 1, 2]))
        elif kind == "wide-row":
            rows.insert(at, [f"w{i}" for i in range(width + rng.choice([1, 2, 50, 3000]))])
        elif kind == "narrow-row" and width > 1:
            rows.insert(at, ["n"] * rng.randint(1, width - 1))
        elif kind == "huge-field" and len(rows) > 1:
            row = rows[rng.randrange(1, len(rows))]
            if row:
                # (no filler of many line ends: unquoted, each would be a row of its own)
                filler = rng.choice(["x", "ab c", "é", '"q"', "x\r\n"[:rng.randint(1, 3)]])
                size = rng.choice([100_000, 100_000, 140_000])
                cell = (filler * size)[:size] if len(filler) == 1 or " " in filler \
                    or '"' in filler else "x" * size + filler
                row[rng.randrange(len(row))] = cell
        elif kind in ("multiline-cells", "doubled-quotes") and len(rows) > 1:
            source = MULTILINE if kind == "multiline-cells" else ['a""b', '"', '""', 'x "y" z']
            for _ in range(rng.randint(1, 3)):
                row = rows[rng.randrange(1, len(rows))]
                if row:
                    row[rng.randrange(len(row))] = rng.choice(source)
        elif kind == "mask-row":
            rows.insert(at, [rng.choice(["*****", " ***** "])] * width)
        else:
            continue
        tags.append(kind)


def cut_inside_quote(rng: random.Random, text: str) -> str | None:
    spans: list[tuple[int, int]] = []
    csv_records(text, spans)
    spans = [s for s in spans if s[0] < len(text)]
    if not spans:
        return None
    start, end = rng.choice(spans[-3:])
    return text[:rng.randint(start, max(start, end - 1))]


def mutate_bytes(rng: random.Random, data: bytes, tags: list[str]) -> bytes:
    kind = rng.choice(["truncated", "truncated", "byte-flips", "stray-quotes", "nul-byte",
                       "random-bytes-inserted", "bom", "double-bom", "ctrl-z", "lone-cr-eof",
                       "latin-1-byte"])
    tags.append(kind)
    if kind == "truncated":
        return data[:rng.randint(0, len(data))]
    data = bytearray(data)
    if kind == "byte-flips" and data:
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    elif kind == "stray-quotes":
        for _ in range(rng.randint(1, 3)):
            data.insert(rng.randint(0, len(data)), ord('"'))
    elif kind == "nul-byte":
        data.insert(rng.randint(0, len(data)), 0)
    elif kind == "random-bytes-inserted":
        position = rng.randint(0, len(data))
        data[position:position] = rng.randbytes(rng.randint(1, 40))
    elif kind == "bom":
        data[0:0] = b"\xef\xbb\xbf"
    elif kind == "double-bom":
        data[0:0] = b"\xef\xbb\xbf\xef\xbb\xbf"
    elif kind == "ctrl-z":
        data += b"\x1a"
    elif kind == "lone-cr-eof":
        data += b"\r"
    elif kind == "latin-1-byte":
        data += b"Caf\xe9\n"
    return bytes(data)


# --- Files of a feed ------------------------------------------------------------------------


def csv_file(rng: random.Random, feed: str, header: Header | None = None,
             line_end: str | None = None, force_quote_cut: bool = False) -> tuple[bytes, list]:
    """A CSV file: a valid export, then (mostly) mutations. Returns bytes and tags."""
    header = header or make_header(rng, feed)
    tags = list(header.tags)
    odd = rng.choice([0.0, 0.0, 0.02, 0.1, 0.3])
    rows = [list(header.cells)] + [data_row(rng, feed, header, odd)
                                   for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 13, 30]))]
    if odd:
        tags.append("odd-values")
    if rng.random() < 0.6:
        mutate_rows(rng, rows, len(header.cells), tags)
    quoting = rng.choice(["minimal", "minimal", "all", "random", "never"])
    line_end = line_end or rng.choices(["lf", "crlf", "cr", "mixed"], [45, 30, 12, 13])[0]
    final_newline = rng.random() < 0.85
    if force_quote_cut and len(rows) > 1 and rows[-1]:
        row = rows[-1]
        row[rng.randrange(len(row))] = rng.choice(["multi\nline value", "plain", "a,b"])
        quoting = "all" if quoting == "never" else quoting
    text = render(rows, rng, quoting, line_end, final_newline)
    tags += [f"quote-{quoting}", line_end] + ([] if final_newline else ["no-final-newline"])
    encoding = rng.choices(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"],
                           [88, 6, 3, 2, 1])[0]
    if force_quote_cut:
        cut = cut_inside_quote(rng, text)
        if cut is not None:
            text = cut
            tags.append("truncated-in-quote")
        encoding = "utf-8"
    if encoding != "utf-8":
        tags.append(encoding)
        if encoding in ("latin-1", "cp1252"):
            text += "Müller,Café\n"
    data = text.encode(encoding, errors="replace")
    if not force_quote_cut and rng.random() < 0.45:
        for _ in range(rng.choice([1, 1, 2])):
            if rng.random() < 0.15:
                cut = cut_inside_quote(rng, data.decode("utf-8", "replace"))
                if cut is not None:
                    data = cut.encode("utf-8", "replace")
                    tags.append("truncated-in-quote")
                    continue
            data = mutate_bytes(rng, data, tags)
    return data, tags


def special_csv(rng: random.Random, feed: str, header: Header) -> tuple[bytes, list]:
    """A whole-file oddity."""
    head = ",".join(quote_cell(cell, "minimal", rng) for cell in header.cells)
    kind = rng.choice(["empty", "blank-only", "header-only", "header-only-no-newline",
                       "random-bytes", "random-text", "bom-only", "utf-16-header-only",
                       "only-commas", "header-then-blank", "one-huge-line"])
    data = {
        "empty": b"",
        "blank-only": b"\n\n  \r\n\t\n,,,\n\r",
        "header-only": (head + "\r\n").encode(),
        "header-only-no-newline": head.encode(),
        "random-bytes": rng.randbytes(rng.randint(1, 3000)),
        "random-text": "".join(rng.choice(string.printable + '"",,\r\n')
                               for _ in range(rng.randint(1, 2000))).encode(),
        "bom-only": b"\xef\xbb\xbf",
        "utf-16-header-only": (head + "\n").encode("utf-16"),
        "only-commas": b",,,,\n,,\n",
        "header-then-blank": (head + "\n\n\n   \n").encode(),
        "one-huge-line": (head + "\n" + "y" * 200_000).encode(),
    }[kind]
    return data, [kind]


def xlsx_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_clock(buffer.getvalue())


def fixed_clock(xlsx: bytes) -> bytes:
    """The workbook with the save time (core properties, zip entry times) fixed, so that its
    bytes depend on the seed only."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    members["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z",
        members["docProps/core.xml"])
    return zip_with(members)


def typed(value: str, kind: str, rng: random.Random):
    """A spreadsheet-typed form of a cell, sometimes."""
    if rng.random() < 0.3:
        return value
    if kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and value > "1900":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return day if rng.random() < 0.7 else datetime(day.year, day.month, day.day, 9, 30)
    if kind in ("tokens", "whole", "signed") and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value or None


def xlsx_file(rng: random.Random, feed: str,
              header: Header) -> tuple[bytes, list, int | None, frozenset]:
    """An XLSX workbook, valid or corrupt: bytes, tags, data rows, statuses."""
    loaded, rejected = frozenset({"loaded"}), frozenset({"rejected"})
    kind = rng.choices(["valid", "parameters-sheet", "header-only", "empty-workbook",
                        "missing-columns", "random-bytes", "truncated-xlsx", "ole-xls",
                        "zip-not-xlsx", "zero-bytes", "odd-typed-values"],
                       [30, 10, 5, 4, 4, 8, 10, 5, 4, 3, 10])[0]
    width = len(header.cells)
    kinds = {c.name: c.kind for c in FEEDS[feed]}
    rows = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.1:
            rows.append(rng.choice([[None] * width, ["  "] + [None] * (width - 1), []]))
            continue
        values = row_values(rng, feed, 0.3 if kind == "odd-typed-values" else 0.02)
        rows.append([typed(values[n], kinds[n], rng) if n else rng.choice(TEXTS[:6])
                     for n in header.columns])
    if kind == "odd-typed-values":
        for row in rows:
            for i, name in enumerate(header.columns):
                if row and name and rng.random() < 0.3:
                    odd = {"date": [date(9999, 12, 31), date(1900, 1, 1), datetime(2026, 1, 1)],
                           "tokens": [10**12, 999999999999999.999, -5, 1e3, 0.1 + 0.2],
                           "whole": [10**12, 100.0, -1, 2.5]}.get(kinds[name], [0, 1.5, True])
                    row[i] = rng.choice(odd)
    data_rows = sum(1 for row in rows if not xlsx_blank(row))
    if header_problem(feed, header.cells):
        loaded = frozenset({"rejected"})
    sheets = [("Data", [header.cells] + rows)]
    valid = xlsx_bytes(sheets)
    if kind in ("valid", "odd-typed-values"):
        return valid, [f"xlsx-{kind}"], data_rows, loaded
    if kind == "parameters-sheet":
        params = [["Report", "Token usage"], ["Date range", "2026-01-01 - 2026-01-31"]]
        sheets = [("Parameters", params), ("Data", [[], [None]] + [header.cells] + rows)]
        return xlsx_bytes(sheets), ["xlsx-parameters-sheet"], data_rows, loaded
    if kind == "header-only":
        return xlsx_bytes([("Data", [header.cells])]), ["xlsx-header-only"], 0, loaded
    if kind == "empty-workbook":
        return xlsx_bytes([("Sheet", [])]), ["xlsx-empty-workbook"], 0, frozenset({"loaded"})
    if kind == "missing-columns":
        return xlsx_bytes([("Data", [["Report", "x"], ["a", "b"]])]), \
            ["xlsx-missing-columns"], None, rejected
    corrupt = {
        "random-bytes": lambda: rng.randbytes(rng.randint(0, 4000)),
        "truncated-xlsx": lambda: valid[:rng.randint(1, len(valid) - 1)],
        "ole-xls": lambda: bytes.fromhex("d0cf11e0a1b11ae1") + rng.randbytes(rng.randint(0, 600)),
        "zip-not-xlsx": lambda: zip_with({"readme.txt": b"hello"}),
        "zero-bytes": lambda: b"",
    }[kind]()
    return corrupt, [f"xlsx-{kind}"], None, rejected


def xlsx_blank(row: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def lock_file() -> bytes:
    """Excel's owner file `~$name.xlsx`: the user name twice, padded, 165 bytes."""
    name = b"Alice"
    data = bytes([len(name)]) + name + b" " * (53 - len(name)) + bytes([len(name), 0])
    data += "Alice".encode("utf-16-le")
    return (data + b"\x20\x00" * 60)[:165]


# --- File names --------------------------------------------------------------------------

ODD_NAMES = ["Token usage ({n}).{ext}", "Überträge_日本語_{n}.{ext}", "[a]*?{n}.{ext}",
             "{n}[0-9].{ext}", ".hidden-{n}.{ext}", "  spaced {n} .{ext}", "o'brien,{n}.{ext}",
             "back\\slash{n}.{ext}", "semi;colon {n}.{ext}", "{{brace}}{n}.{ext}",
             "percent%20{n}.{ext}", "{n}.{EXT}", "{n}.{Ext}", "dash--{n}.{ext}",
             "new\nline{n}.{ext}", "tab\t{n}.{ext}", "\u00e9\u0301nfd{n}.{ext}"]
FOLDERS = ["2026/01/", "deep/a/b/c/d/e/", "sub dir [x]/", "ü/", ".hidden/", "*/"]


def file_name(rng: random.Random, n: int, ext: str) -> str:
    if rng.random() < 0.3:
        pattern = rng.choice(ODD_NAMES)
    else:
        pattern = rng.choice(["export-{n:04d}.{ext}", "2026-01-{n}.{ext}", "{n}.{ext}"])
    name = pattern.format(n=n, ext=ext, EXT=ext.upper(), Ext=ext.title())
    if rng.random() < 0.12:
        name = rng.choice(FOLDERS) + name
    return name


# --- A landing folder --------------------------------------------------------------------


def can_make_unreadable(path: Path) -> bool:
    """chmod 000, then check that opening fails (it does not for root)."""
    path.chmod(0)
    try:
        path.open("rb").close()
    except PermissionError:
        return True
    path.chmod(0o644)
    return False


def build_landing(root: Path, seed: int, files: int = 200) -> list[HostileFile]:
    """Write a hostile landing folder under `root/landing`; one HostileFile per entry."""
    rng = random.Random(seed)
    landing, outside = root / "landing", root / "outside"
    made: list[HostileFile] = []
    counter = iter(range(10**6))

    def place(feed: str, name: str, data: bytes, tags: list[str],
              rows: int | None = None, statuses: frozenset[str] | None = None,
              note: str = "") -> HostileFile:
        path = landing / feed / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entry = HostileFile(feed, f"{feed}/{name}", tags, data, rows, statuses, note)
        made.append(entry)
        return entry

    def place_csv(feed: str, data: bytes, tags: list[str], name: str | None = None):
        name = name or file_name(rng, next(counter), "csv")
        statuses, rows, note = expect_csv(feed, data)
        ext = os.path.splitext(name)[1].lower()
        if ext not in EXTENSIONS[feed]:
            statuses, rows, note = frozenset({"ignored"}), None, "extension"
        elif ext == ".xlsx":
            statuses, rows, note = frozenset({"rejected"}), None, "CSV bytes named .xlsx"
        return place(feed, name, data, tags, rows, statuses, note)

    for feed, share in FILE_SHARE.items():
        # Most files use one of a few headers, so that files share load batches (and the
        # corpus ingests in few batches: each costs DuckDB a fixed planning time).
        pool = [make_header(rng, feed, rejectable=False)
                for _ in range(2 if feed == "usage" else 1)]

        def header() -> Header | None:
            return rng.choice(pool) if rng.random() < 0.92 else None  # noqa: B023

        # Batches: files with one header and line end, some cut inside a quoted cell.
        for _ in range(rng.randint(1, 2)):
            header_of_batch = rng.choice(pool)
            line_end = rng.choice(["lf", "lf", "crlf", "cr"])
            for _ in range(rng.choice([2, 3, 4, 5, 6, 8])):
                cut = rng.random() < 0.5
                data, tags = csv_file(rng, feed, header_of_batch, line_end,
                                      force_quote_cut=cut)
                place_csv(feed, data, ["batch-group", *tags])
        for _ in range(round(files * share)):
            ext_roll = rng.random()
            if ext_roll < 0.12 and ".xlsx" in EXTENSIONS[feed]:
                data, tags, rows, statuses = xlsx_file(rng, feed, rng.choice(pool))
                name = file_name(rng, next(counter), "xlsx")
                place(feed, name, data, tags, rows, statuses)
            elif ext_roll < 0.15:
                data, tags = csv_file(rng, feed, header())
                ext = rng.choice(["txt", "csv.bak", "json", "xls", "CSV~", "csv ", "xlsx"])
                place_csv(feed, data, ["other-extension", *tags],
                          name=file_name(rng, next(counter), ext))
            elif ext_roll < 0.30:
                data, tags = special_csv(rng, feed, rng.choice(pool))
                place_csv(feed, data, tags)
            else:
                data, tags = csv_file(rng, feed, header())
                place_csv(feed, data, tags)
        if rng.random() < 0.5:  # the same bytes under another name
            source = rng.choice([f for f in made if f.feed == feed and f.data is not None])
            name = f"copy of {next(counter)}{os.path.splitext(source.rel_path)[1]}"
            place(feed, name, source.data, ["same-bytes", *source.tags], source.data_rows,
                  source.statuses, source.note)
    feed = rng.choice(["usage", "users", "subscriptions"])
    lock = place(feed, f"~$lock{next(counter)}.xlsx", lock_file(), ["xlsx-lock-file"], None,
                 frozenset({"ignored"}), "docs/ingest.md: lock files are never read")
    lock.hashed = False
    made += links(rng, landing, outside, made)
    unreadable = rng.choice(list(FEEDS))
    data, tags = csv_file(rng, unreadable)
    entry = place_csv(unreadable, data, ["unreadable", *tags], name="unreadable.csv")
    if not can_make_unreadable(landing / entry.rel_path):
        entry.tags[0] = "unreadable-skipped-as-root"
    else:  # docs/ingest.md: rejected, naming the file, and tried again by every run
        entry.data, entry.data_rows, entry.statuses = None, None, frozenset({"rejected"})
        entry.hashed = False
    allow_duplicates(made)
    tag_batches(made)
    return made


def links(rng: random.Random, landing: Path, outside: Path,
          made: list[HostileFile]) -> list[HostileFile]:
    """Symbolic links: to a file outside the landing folder, dangling, to a folder, and to
    another landing file. feeds.md is silent; docs/ingest.md: never followed, `ignored`."""
    found = []
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "folder").mkdir(exist_ok=True)
    for kind in ("symlink-to-outside-file", "symlink-dangling", "symlink-to-folder",
                 "symlink-to-landing-file"):
        feed = rng.choice(list(FEEDS))
        path = landing / feed / f"{kind}-{rng.randint(0, 999)}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = HostileFile(feed, f"{feed}/{path.name}", [kind], None,
                            statuses=frozenset({"ignored"}), note="link", hashed=False)
        if kind == "symlink-to-outside-file":
            data, tags = csv_file(rng, feed)
            target = outside / f"target-{path.name}"
            target.write_bytes(data)
            entry.tags += tags
            entry.data = data  # what a reader following the link would get
        elif kind == "symlink-dangling":
            target = outside / "no-such-file.csv"
        elif kind == "symlink-to-folder":
            target = outside / "folder"
        else:
            candidates = [f for f in made if f.feed == feed and f.data is not None]
            source = rng.choice(candidates)
            target = landing / source.rel_path
            entry.tags += ["->" + source.rel_path, *source.tags]
            entry.data = source.data
        path.symlink_to(os.path.relpath(target, path.parent))  # relative: same in any root
        found.append(entry)
    return found


def allow_duplicates(made: list[HostileFile]) -> None:
    """A file with the same bytes as another file of the feed that may load (under any name
    and extension) may also be `duplicate`."""
    by_bytes: dict[tuple[str, str], list[HostileFile]] = {}
    for entry in made:
        if entry.data is not None and entry.hashed:
            by_bytes.setdefault((entry.feed, entry.sha256), []).append(entry)
    for group in by_bytes.values():
        if any(e.statuses is None or "loaded" in e.statuses for e in group) and len(group) > 1:
            for entry in group:
                if entry.statuses and entry.statuses != {"ignored"}:
                    entry.statuses = entry.statuses | {"duplicate"}


def tag_batches(made: list[HostileFile]) -> None:
    """Tag CSV files that load with `batch=N`: N files of the feed share their header cells
    and line ends (ingest reads such files in one batch)."""
    keys: dict[int, tuple] = {}
    for entry in made:
        text = decode_utf8(entry.data) if entry.data is not None else None
        if text is None or not entry.statuses or "loaded" not in entry.statuses \
                or not entry.data_rows or not entry.rel_path.lower().endswith(".csv"):
            continue
        rows = [r for r in csv_records(text) if not is_blank(r)]
        crlf, lf = text.count("\r\n"), text.count("\n")
        ends = "crlf" if crlf == lf and crlf else "lf" if crlf == 0 else "mixed"
        keys[id(entry)] = (entry.feed, tuple(c.strip() for c in rows[0]), ends)
    sizes: dict[tuple, int] = {}
    for key in keys.values():
        sizes[key] = sizes.get(key, 0) + 1
    for entry in made:
        if id(entry) in keys:
            entry.tags.append(f"batch={sizes[keys[id(entry)]]}")
