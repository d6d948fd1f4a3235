"""Sample feeds: reproducible bytes, realistic shape, a burn-down that never runs short,
and a --dirty tally that matches an independent re-parse of the files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ingest.feeds import FEEDS, header_key
from sample_feeds import PRESETS, generate

END = date(2026, 11, 27)
TOKENS = re.compile(r"^\+?\d+(\.\d+)?$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?Z?)?$")
BOOLEANS = {"true", "false", "yes", "no", "y", "n", "1", "0", "on", "off"}


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "landing"
    generate("demo", seed=42, end_date=END, out=out)
    return out


@pytest.fixture(scope="module")
def dirty_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty") / "landing"
    generate("demo", seed=42, end_date=END, dirty=True, out=out)
    return out


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- an independent reader of the landing folder, following feeds.md -------------------

def column_names(feed: str) -> dict[str, str]:
    return {header_key(alias): c.name for c in FEEDS[feed].columns
            for alias in (c.name, *c.aliases)}


def table_of(path: Path, feed: str) -> tuple[list[str], list[list]]:
    """Header and rows of a CSV, or of the first XLSX sheet that holds the feed."""
    if path.suffix.lower() == ".xlsx":
        for sheet in openpyxl.load_workbook(path, read_only=True):
            rows = [list(r) for r in sheet.iter_rows(values_only=True) if any(
                v is not None for v in r)]
            names = {column_names(feed).get(header_key(str(h))) for h in rows[0]}
            if set(FEEDS[feed].required) <= names:  # the cell-count rule is for CSV only
                width = len(rows[0])
                return [str(h) for h in rows[0]], [r + [None] * (width - len(r)) for r in rows[1:]]
        raise AssertionError(f"{path}: no sheet with the {feed} columns")
    text = path.read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    return (rows[0], rows[1:]) if rows else ([], [])


def cell(value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = "" if value is None else str(value).strip()
    return None if text in ("", "*****") else text


def row_problem(feed: str, row: dict) -> str | None:
    """The first rule of feeds.md a (canonical) row breaks, or None."""
    for name in FEEDS[feed].required:
        if row.get(name) is None:
            return f"{name}: missing"
    if feed == "usage":
        if not ISO_DAY.match(row["day_used"]):
            return "day_used: not a date"
        tokens = row["tokens_used"]
        if tokens.startswith("-"):
            return "tokens_used: negative"
        if not TOKENS.match(tokens):
            return "tokens_used: not a number"
        if len(tokens.partition(".")[2].rstrip("0")) > 3:
            return "tokens_used: decimals"
        if not any(row.get(c) for c in ("autodesk_id", "hashed_autodesk_id", "email")):
            return "user: no identity"
    if feed == "users" and not (row.get("autodesk_id") or row.get("email")):
        return "user: no identity"
    if feed == "subscriptions":
        if not re.match(r"^\+?\d+(\.0*)?$", row["seat_quantity"]):
            return "seat_quantity: not whole or negative"
        if row.get("end_date") and row["end_date"] < row["start_date"]:
            return "end_date: before start_date"
    if feed in ("cost_centers", "prices") and row.get("valid_from") and not ISO_DAY.match(
            row["valid_from"]):
        return "valid_from: not a date"
    if feed == "prices":
        price = row["price"]
        if price.startswith("-"):
            return "price: negative"
        if not TOKENS.match(price):
            return "price: not a number"
        if len(price.partition(".")[2].rstrip("0")) > 6:
            return "price: decimals"
    if feed == "team_settings" and row["pii_enabled"].lower() not in BOOLEANS:
        return "pii_enabled: not a boolean"
    if feed == "token_events":
        kind = row["event_type"].lower()
        needs = {"move": ("subscription_id", "to_team"), "merge": ("from_team", "to_team"),
                 "adjustment": ("subscription_id", "tokens")}.get(kind)
        if needs is None:
            return "event_type: unknown"
        if any(row.get(c) is None for c in needs):
            return "missing for the event type"
        if kind == "adjustment" and Decimal(row["tokens"]) == 0:
            return "tokens: 0"
    return None


def read_landing(root: Path) -> dict:
    """Loaded rows per feed plus the counts of rejected/duplicate/ignored files and rows."""
    result = {"rows": defaultdict(list), "rejected_rows": Counter(), "rejected_files": Counter(),
              "duplicate_files": Counter(), "ignored_files": Counter()}
    for feed, spec in FEEDS.items():
        seen: set[str] = set()
        folder = root / feed
        for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
            if not path.is_file():
                continue
            if path.suffix.lower() not in spec.extensions:
                result["ignored_files"][feed] += 1
                continue
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            if sha in seen:
                result["duplicate_files"][feed] += 1
                continue
            try:
                header, rows = table_of(path, feed)
            except UnicodeDecodeError:
                result["rejected_files"][feed] += 1
                continue
            names = [column_names(feed).get(header_key(str(h))) for h in header]
            known = [n for n in names if n]
            missing = set(spec.required) - set(known)
            if missing or len(known) != len(set(known)) or (
                    spec.one_of_required and not set(spec.one_of_required) & set(known)):
                result["rejected_files"][feed] += 1
                continue
            seen.add(sha)
            for values in rows:
                row = {n: cell(v) for n, v in zip(names, values, strict=False) if n}
                if len(values) != len(header) or row_problem(feed, row):
                    result["rejected_rows"][feed] += 1
                else:
                    result["rows"][feed].append(row)
    return result


# --- the tests --------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(landing, tmp_path):
    generate("demo", seed=42, end_date=END, out=tmp_path / "again")
    first, second = digests(landing), digests(tmp_path / "again")
    assert any(name.endswith(".xlsx") for name in first)
    assert {"cost_centers/cost_centers.csv", "prices/prices.csv"} <= set(first)
    assert first == second


def test_another_seed_gives_other_data(landing, tmp_path):
    other = digests(generate("demo", seed=7, end_date=END, out=tmp_path / "o").out)
    usage = {n: d for n, d in digests(landing).items() if n.startswith("usage/")}
    assert set(other.values()).isdisjoint(usage.values())


def test_demo_looks_like_a_small_flex_customer(landing):
    data = read_landing(landing)
    settings = {r["team"]: r["pii_enabled"] for r in data["rows"]["team_settings"]}
    assert len(settings) >= 3 and {"On", "Off"} <= set(settings.values())
    assert 140 <= len(data["rows"]["users"]) <= 160
    usage = data["rows"]["usage"]
    days = sorted({r["day_used"][:10] for r in usage})
    assert days[0] >= "2025-05-28" and days[-1] == END.isoformat() and len(days) > 450
    weekday = Counter(date.fromisoformat(d).weekday() < 5 for r in usage for d in [
        r["day_used"][:10]])
    assert weekday[True] > 10 * weekday[False]  # office-hours use
    by_team = {r["team"]: r for r in usage}
    assert by_team[next(t for t, v in settings.items() if v == "Off")]["email"] is None
    assert "@" in by_team[next(t for t, v in settings.items() if v == "On")]["email"]
    products = Counter((r["product_name"], r["tokens_used"].split(".")[0]) for r in usage)
    assert ("Revit", "10") in products and ("AutoCAD", "7") in products
    assert {r["version"] for r in usage} >= {"2025", "2026", "2027"}


def test_every_usage_header_matches_and_all_three_styles_occur(landing):
    styles = set()
    aliases = column_names("usage")
    for path in (landing / "usage").rglob("*"):
        if path.is_file():
            header, _ = table_of(path, "usage")
            names = [aliases.get(header_key(str(h))) for h in header]
            assert None not in names and len(set(names)) == len(names), path
            styles.add(header[0])
    assert styles == {"team_alias", "Team", "teamName"}


def test_xlsx_exports_open_with_a_parameters_sheet(landing):
    books = sorted(landing.rglob("*.xlsx"))
    assert {p.parts[len(landing.parts)] for p in books} == {"usage", "subscriptions"}
    for path in books:
        workbook = openpyxl.load_workbook(path)
        first = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert first[0][0] == "Report:" and len(workbook.worksheets) == 2


def test_consumption_never_exceeds_the_balance(landing):
    """An independent burn-down (metrics.md) over the files as written: never short."""
    data = read_landing(landing)
    packs = {r["subscription_id"]: r for r in data["rows"]["subscriptions"]
             if re.search(r"\bflex\b", r["offering_name"], re.IGNORECASE)}
    holder = {sid: p["team"] for sid, p in packs.items()}
    left = {sid: int(p["seat_quantity"]) for sid, p in packs.items()}
    used = defaultdict(lambda: defaultdict(Decimal))
    for r in data["rows"]["usage"]:
        used[r["day_used"][:10]][r["team"]] += Decimal(r["tokens_used"])
    events = defaultdict(list)
    for e in sorted(data["rows"]["token_events"], key=lambda e: e["event_id"]):
        events[e["event_date"]].append(e)
    expired_with_tokens, short = 0, []
    for day in sorted(set(used) | set(events)):
        for e in sorted(events[day], key=lambda e: e["event_type"] == "adjustment"):
            if e["event_type"] == "move":
                holder[e["subscription_id"]] = e["to_team"]
            elif e["event_type"] == "merge":
                holder.update({s: e["to_team"] for s, t in holder.items()
                               if t == e["from_team"]})
            else:
                left[e["subscription_id"]] += int(e["tokens"])
                assert left[e["subscription_id"]] >= 0
        for team, need in used[day].items():
            active = sorted((s for s, p in packs.items() if holder[s] == team
                             and p["start_date"] <= day <= p["end_date"]),
                            key=lambda s: (packs[s]["end_date"], int(packs[s]["seat_quantity"]), s))
            for sid in active:
                take = min(left[sid], need)
                left[sid], need = left[sid] - take, need - take
            if need:
                short.append((team, day, need))
    expired_with_tokens = sum(1 for s, p in packs.items() if p["end_date"] < END.isoformat()
                              and left[s] > 0)
    assert short == []
    assert expired_with_tokens > 0
    kinds = Counter(e["event_type"] for e in data["rows"]["token_events"])
    assert kinds["move"] and kinds["merge"] and kinds["adjustment"]
    merge = next(e for e in data["rows"]["token_events"] if e["event_type"] == "merge")
    assert not any(r["team"] == merge["from_team"] and r["day_used"] >= merge["event_date"]
                   for r in data["rows"]["usage"])


def test_dirty_tally_matches_an_independent_reparse(landing, dirty_landing):
    tally = json.loads((dirty_landing / "dirty_tally.json").read_text())
    found = read_landing(dirty_landing)
    for kind in ("rejected_rows", "rejected_files", "duplicate_files", "ignored_files"):
        assert tally[kind] == dict(found[kind]), kind
    assert set(tally["rejected_rows"]) == set(FEEDS)
    assert {f: sum(c.values()) for f, c in tally["rows_by_reason"].items()} == \
        tally["rejected_rows"]
    # The valid data is untouched: the same usage rows as without --dirty.
    clean = read_landing(landing)["rows"]["usage"]
    def key(row: dict) -> tuple:
        return tuple(sorted((k, v or "") for k, v in row.items()))

    assert Counter(map(key, found["rows"]["usage"])) == Counter(map(key, clean))


def test_unknown_preset_and_busy_landing_are_refused(landing):
    assert PRESETS == ("demo", "enterprise", "bench-1m", "bench-10m")
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        generate("huge", out=landing.parent / "x")
    with pytest.raises(ValueError, match="already holds"):
        generate("demo", end_date=END, out=landing)


def test_people_appear_under_both_exports_with_a_reused_e_mail_and_a_later_users_file(landing):
    """What feeds.md "User identity" resolves: e-mail-only usage of people whose Autodesk ID
    some row links to their e-mail, an e-mail of two IDs, and users only a later file has."""
    data = read_landing(landing)
    ids_of = defaultdict(set)  # (team, e-mail) -> Autodesk IDs some row carries with it
    for row in [*data["rows"]["users"], *data["rows"]["usage"]]:
        if row.get("autodesk_id") and row.get("email"):
            ids_of[row["team"], row["email"].lower()].add(row["autodesk_id"])
    email_only = {(r["team"], r["email"].lower()) for r in data["rows"]["usage"]
                  if r.get("email") and not r.get("autodesk_id")}
    assert sum(len(ids_of[pair]) == 1 for pair in email_only) > 20  # resolved people
    assert sum(len(ids) > 1 for ids in ids_of.values()) >= 1  # a reused e-mail

    first, later = [], []
    for path in sorted((landing / "users").iterdir()):
        _, rows = table_of(path, "users")
        (later if re.search(r"_\d{4}-\d{2}-\d{2}\.csv$", path.name) else first).append(rows)
    emails_of = [{row[2].lower() for rows in files for row in rows} for files in (first, later)]
    assert later and emails_of[1] and not emails_of[1] & emails_of[0]
    assert {email for _, email in email_only} & emails_of[1]  # usage the later file resolves


# --- the optional company feeds: cost_centers and prices (insights.md, Chargeback) ------

CENTERS_HEADER = ["team", "user", "cost_center", "valid_from"]
PRICES_HEADER = ["item", "team", "valid_from", "price", "currency"]
PRICE = re.compile(r"^\d+\.\d{6}$")


def plain_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV as the other generated company-side feeds are written: UTF-8, no BOM, CRLF."""
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n"), path
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    return rows[0], rows[1:]


def user_ref(value: str) -> str:
    return value.lower() if "@" in value else value


def usage_people(usage: list[dict]) -> dict[str, list[set[str]]]:
    """Per team, the people of the usage: the identities (Autodesk ID, hashed Autodesk ID,
    lower-cased e-mail) that some usage row delivers together, merged transitively."""
    people: dict[str, list[set[str]]] = defaultdict(list)
    for row in usage:
        ids = {row.get("autodesk_id"), row.get("hashed_autodesk_id"),
               (row.get("email") or "").lower() or None} - {None}
        groups = people[row["team"]]
        joined = [g for g in groups if g & ids]
        for group in joined:
            groups.remove(group)
            ids |= group
        groups.append(ids)
    return people


@pytest.fixture(scope="module")
def usage_rows(landing) -> list[dict]:
    return read_landing(landing)["rows"]["usage"]


def test_cost_centers_name_users_of_the_usage_of_their_team(landing, usage_rows):
    header, rows = plain_csv(landing / "cost_centers" / "cost_centers.csv")
    assert header == CENTERS_HEADER
    known = defaultdict(set)  # team -> every identity its usage shows
    for row in usage_rows:
        for name in ("autodesk_id", "hashed_autodesk_id", "email"):
            if row.get(name):
                known[row["team"]].add(user_ref(row[name]))
    assert rows and all(team and user and center for team, user, center, _ in rows)
    strangers = [(team, user) for team, user, _, _ in rows if user_ref(user) not in known[team]]
    assert strangers == []
    emails = [user for _, user, _, _ in rows if "@" in user]
    assert emails and len(emails) < len(rows) / 2  # an Autodesk ID for most users
    assert any(e != e.lower() for e in emails) and any(e == e.lower() for e in emails)
    for team in {r[0] for r in rows}:
        centers = {r[2] for r in rows if r[0] == team}
        assert 3 <= len(centers) <= 6 and all(re.match(r"^CC-\d{4} \S", c) for c in centers)


def test_a_user_changes_cost_centre_mid_month_and_some_users_have_none(landing, usage_rows):
    _, rows = plain_csv(landing / "cost_centers" / "cost_centers.csv")
    by_user = defaultdict(list)
    for team, user, center, valid_from in rows:
        by_user[team, user_ref(user)].append((valid_from, center))
    first_day = min(r["day_used"][:10] for r in usage_rows)
    assert all(sorted(v for v, _ in periods)[0] == "" for periods in by_user.values())
    changes = [(v, c, periods) for periods in by_user.values() for v, c in periods if v]
    assert changes
    for valid_from, center, periods in changes:
        day = date.fromisoformat(valid_from)
        assert first_day < valid_from <= END.isoformat() and day.day != 1
        assert center != dict(periods)[""]  # another cost centre than before
    assert len(changes) <= 0.25 * len(by_user)

    people = usage_people(usage_rows)
    mapped = {(team, user) for team, user in by_user}
    unmapped = [(team, ids) for team, groups in people.items() for ids in groups
                if not any((team, i) in mapped for i in ids)]
    total = sum(len(groups) for groups in people.values())
    assert 1 <= len(unmapped) <= 0.15 * total


def test_prices_hold_a_token_price_change_a_team_price_and_an_unpriced_product(
        landing, usage_rows):
    header, rows = plain_csv(landing / "prices" / "prices.csv")
    assert header == PRICES_HEADER
    assert all(PRICE.match(price) and currency == "USD" and valid_from
               and date.fromisoformat(valid_from) for _, _, valid_from, price, currency in rows)
    first_day = min(r["day_used"][:10] for r in usage_rows)
    token = sorted((valid_from, Decimal(price)) for item, team, valid_from, price, _ in rows
                   if item == "token" and team == "*")
    assert len(token) == 2 and token[0][0] <= first_day
    changed, price = token[1]
    assert first_day < changed < END.isoformat() and date.fromisoformat(changed).day != 1
    assert price != token[0][1]
    teams = {r["team"] for r in usage_rows}
    own = [(team, Decimal(price)) for item, team, _, price, _ in rows
           if item == "token" and team != "*"]
    assert len(own) == 1 and own[0][0] in teams and own[0][1] not in dict(token).values()
    used = {r["product_name"] for r in usage_rows}
    priced = {item for item, team, _, _, _ in rows if item != "token"}
    assert all(team == "*" for item, team, _, _, _ in rows if item != "token")
    assert priced <= used and len(priced) > len(used) / 2
    assert used - priced  # shows as `unknown` in the Flex fit
    assert Decimal(dict((r[0], r[3]) for r in rows)["AutoCAD"]) > 1000


def test_dirty_company_feeds_carry_each_hostile_row(landing, dirty_landing):
    found = {}
    for feed, clean_name in (("cost_centers", "cost_centers.csv"), ("prices", "prices.csv")):
        clean = (landing / feed / clean_name).read_bytes()
        assert (dirty_landing / feed / clean_name).read_bytes() == clean  # untouched
        extra = [p for p in sorted((dirty_landing / feed).iterdir()) if p.name != clean_name]
        assert len(extra) == 1, extra
        header, rows = plain_csv(extra[0])
        names = [column_names(feed).get(header_key(h)) for h in header]
        canonical = CENTERS_HEADER if feed == "cost_centers" else PRICES_HEADER
        assert header != canonical and sorted(names) == sorted(canonical)  # header aliases
        found[feed] = [dict(zip(names, row, strict=True)) for row in rows]

    centers = found["cost_centers"]
    assert any(r["valid_from"] and not ISO_DAY.match(r["valid_from"]) for r in centers)
    assert any(not r["cost_center"] for r in centers)
    prices = found["prices"]
    assert any(len(r["price"].partition(".")[2]) == 7 for r in prices)
    assert any(r["price"].startswith("-") for r in prices)
    assert any(not r["valid_from"] for r in prices)
    # Valid once normalised, and then the same as a clean row: the price data is unchanged.
    _, clean = plain_csv(landing / "prices" / "prices.csv")
    odd = [r for r in prices if r["currency"].islower() or r["item"] == "Token"]
    assert {r["currency"] for r in odd} >= {"usd"} and {r["item"] for r in odd} >= {"Token"}
    assert all([r["item"].lower() if r["item"].lower() == "token" else r["item"], r["team"],
                r["valid_from"], r["price"], r["currency"].upper()] in clean for r in odd)
