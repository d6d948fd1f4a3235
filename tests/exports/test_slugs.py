"""team_slugs: the exports.md slug rules, collisions and unsafe names."""

from __future__ import annotations

import hashlib

from exports.slugs import team_slugs

# First 8 hex of SHA-256 of the UTF-8 name, taken from `printf '%s' NAME | sha256sum`.
ACME = "37036cd8"
ACME_BANG = "cb9ab520"
DOTS = "0cfd1c96"
EMPTY = "e3b0c442"
NIHON = "cf2abf0c"


def test_plain_names_lower_cased_and_runs_replaced():
    assert team_slugs(["Acme Corp", "  R&D -- Europe  ", "Team_42"]) == {
        "Acme Corp": "acme-corp",
        "  R&D -- Europe  ": "r-d-europe",
        "Team_42": "team-42",
    }


def test_collision_gives_both_teams_the_hash_suffix():
    slugs = team_slugs(["Acme", "ACME!", "Other"])
    assert slugs == {"Acme": f"acme-{ACME}", "ACME!": f"acme-{ACME_BANG}", "Other": "other"}


def test_hash_prefix_matches_an_independent_sha256():
    expected = hashlib.sha256(b"ACME!").hexdigest()[:8]
    assert expected == ACME_BANG


def test_empty_and_symbol_only_names_get_team_prefix():
    slugs = team_slugs(["", "../..", "日本"])
    assert slugs == {"": f"team-{EMPTY}", "../..": f"team-{DOTS}", "日本": f"team-{NIHON}"}


def test_non_ascii_letters_are_outside_a_to_z():
    # exports.md: every run outside a-z0-9 becomes '-', accents included (no transliteration).
    assert team_slugs(["Équipe Zürich"]) == {"Équipe Zürich": "quipe-z-rich"}


def test_long_names_are_cut_to_60_without_trailing_dash():
    name = "a" * 59 + " b" + "c" * 10
    slug = team_slugs([name])[name]
    assert slug == "a" * 59
    long = "x" * 75
    assert team_slugs([long])[long] == "x" * 60


def test_names_equal_after_cut_collide():
    first, second = "y" * 60 + "1", "y" * 60 + "2"
    slugs = team_slugs([first, second])
    assert slugs[first] == "y" * 60 + "-" + hashlib.sha256(first.encode()).hexdigest()[:8]
    assert slugs[second] == "y" * 60 + "-" + hashlib.sha256(second.encode()).hexdigest()[:8]


def test_plain_slug_equal_to_a_suffixed_one_gets_its_own_suffix():
    tricky = f"Acme {ACME}"  # its plain slug is acme-37036cd8, the suffixed slug of "Acme"
    slugs = team_slugs(["Acme", "ACME!", tricky])
    tricky_hash = hashlib.sha256(tricky.encode()).hexdigest()[:8]
    assert slugs["Acme"] == f"acme-{ACME}"
    assert slugs[tricky] == f"acme-{ACME}-{tricky_hash}"
    assert len(set(slugs.values())) == 3


def test_slugs_are_never_unsafe_path_segments():
    names = ["..", ".hidden", "a/b", "a\\b", "...", "-", "--x--", ". .", "\0", "/etc/passwd"]
    slugs = team_slugs(names)
    assert slugs[".hidden"] == "hidden"
    assert slugs["a/b"].startswith("a-b-")  # collides with a\\b
    assert slugs["/etc/passwd"] == "etc-passwd"
    for slug in slugs.values():
        assert slug and "/" not in slug and "\\" not in slug and ".." not in slug
        assert not slug.startswith(".") and not slug.startswith("-")
    assert len(set(slugs.values())) == len(names)


def test_duplicate_input_names_are_one_team():
    assert team_slugs(["Acme", "Acme"]) == {"Acme": "acme"}
