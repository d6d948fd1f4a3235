"""Great Expectations suites of the raw feeds, declared as data; GX is imported only to validate.

Each `Rule` is one Dagster asset check made of one or more GX expectations. ERROR rules
guard what ingest must never let through; WARN rules flag what needs a look.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

ERROR, WARN = "ERROR", "WARN"


@dataclass(frozen=True)
class Expect:
    """One GX expectation: class name in `gx.expectations`, its arguments, a row condition."""

    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    # Row condition: (column, "null") or (column, value) terms, joined by AND.
    when: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        columns = self.kwargs.get("column_list") or [
            self.kwargs.get(k) for k in ("column", "column_A", "column_B") if k in self.kwargs
        ]
        where = "".join(f" when {c} {v}" for c, v in self.when)
        return f"{self.name}({', '.join(columns)}){where}"


@dataclass(frozen=True)
class Rule:
    check: str
    severity: str
    description: str
    expects: tuple[Expect, ...]


def not_null(*columns: str) -> tuple[Expect, ...]:
    return tuple(Expect("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns)


def lineage(feed: str) -> Rule:
    return Rule(
        "lineage_valid", ERROR,
        f"Each raw.{feed} row comes from one data row of one file (row number >= 2, once).",
        (
            Expect("ExpectColumnValuesToBeBetween", {"column": "_row_number", "min_value": 2}),
            Expect("ExpectCompoundColumnsToBeUnique",
                   {"column_list": ["_file_sha256", "_row_number"]}),
        ),
    )


def required(*columns: str) -> Rule:
    return Rule("required_columns_present", ERROR,
                f"Required columns are never NULL: {', '.join(columns)}.", not_null(*columns))


IDENTITY = ("autodesk_id", "hashed_autodesk_id", "email")

SUITES: dict[str, tuple[Rule, ...]] = {
    "usage": (
        required("team", "day_used", "product_name", "version", "tokens_used"),
        Rule("tokens_used_not_negative", ERROR, "tokens_used is never negative.",
             (Expect("ExpectColumnValuesToBeBetween", {"column": "tokens_used", "min_value": 0}),)),
        Rule("user_identity_present", ERROR,
             "Every row has an autodesk_id, a hashed_autodesk_id or an e-mail address.",
             (Expect("ExpectColumnValuesToNotBeNull", {"column": "autodesk_id"},
                     (("hashed_autodesk_id", "null"), ("email", "null"))),)),
        Rule("day_used_not_after_as_of", WARN, "No usage is dated after the reporting day.",
             (Expect("ExpectColumnValuesToBeBetween",
                     {"column": "day_used", "max_value": {"$PARAMETER": "as_of"}}),)),
        lineage("usage"),
    ),
    "subscriptions": (
        required("subscription_id", "team", "offering_name", "seat_quantity", "start_date"),
        Rule("seat_quantity_not_negative", ERROR, "seat_quantity is never negative.",
             (Expect("ExpectColumnValuesToBeBetween",
                     {"column": "seat_quantity", "min_value": 0}),)),
        Rule("end_date_not_before_start_date", ERROR, "end_date, when present, >= start_date.",
             (Expect("ExpectColumnPairValuesAToBeGreaterThanB",
                     {"column_A": "end_date", "column_B": "start_date", "or_equal": True,
                      "ignore_row_if": "either_value_is_missing"}),)),
        lineage("subscriptions"),
    ),
    "users": (
        required("team"),
        Rule("user_identity_present", ERROR, "Every row has an autodesk_id or an e-mail address.",
             (Expect("ExpectColumnValuesToNotBeNull", {"column": "autodesk_id"},
                     (("email", "null"),)),)),
        lineage("users"),
    ),
    "token_events": (
        required("event_id", "event_date", "event_type"),
        Rule("event_type_known", ERROR, "event_type is move, merge or adjustment.",
             (Expect("ExpectColumnValuesToBeInSet",
                     {"column": "event_type", "value_set": ["move", "merge", "adjustment"]}),)),
        Rule("event_values_present", ERROR,
             "Each event type has the values it needs; adjustments are never 0 tokens.",
             (
                 *(Expect("ExpectColumnValuesToNotBeNull", {"column": c},
                          (("event_type", "move"),)) for c in ("subscription_id", "to_team")),
                 *(Expect("ExpectColumnValuesToNotBeNull", {"column": c},
                          (("event_type", "merge"),)) for c in ("from_team", "to_team")),
                 *(Expect("ExpectColumnValuesToNotBeNull", {"column": c},
                          (("event_type", "adjustment"),)) for c in ("subscription_id", "tokens")),
                 Expect("ExpectColumnValuesToNotBeInSet", {"column": "tokens", "value_set": [0]}),
             )),
        Rule("event_id_unique_per_file", WARN, "An event_id appears once per file.",
             (Expect("ExpectCompoundColumnsToBeUnique",
                     {"column_list": ["_file_sha256", "event_id"]}),)),
        lineage("token_events"),
    ),
    "team_settings": (
        required("team", "pii_enabled"),
        Rule("team_unique_per_file", WARN, "A team appears once per file.",
             (Expect("ExpectCompoundColumnsToBeUnique",
                     {"column_list": ["_file_sha256", "team"]}),)),
        lineage("team_settings"),
    ),
    "cost_centers": (
        required("team", "user", "cost_center"),
        Rule("user_unique_per_day_and_file", WARN,
             "A user has one cost centre per valid_from in a file.",
             (Expect("ExpectCompoundColumnsToBeUnique",
                     {"column_list": ["_file_sha256", "team", "user", "valid_from"]}),)),
        lineage("cost_centers"),
    ),
    "prices": (
        required("item", "team", "valid_from", "price", "currency"),
        Rule("price_not_negative", ERROR, "price is never negative.",
             (Expect("ExpectColumnValuesToBeBetween", {"column": "price", "min_value": 0}),)),
        Rule("currency_is_a_code", WARN, "currency is a three-letter code (ISO 4217).",
             (Expect("ExpectColumnValuesToMatchRegex",
                     {"column": "currency", "regex": "^[A-Za-z]{3}$"}),)),
        Rule("item_unique_per_day_and_file", WARN,
             "An item has one price per team and valid_from in a file.",
             (Expect("ExpectCompoundColumnsToBeUnique",
                     {"column_list": ["_file_sha256", "item", "team", "valid_from"]}),)),
        lineage("prices"),
    ),
}


@dataclass(frozen=True)
class Outcome:
    """What one rule found: failing row counts per expectation, no row values."""

    rule: Rule
    passed: bool
    failures: dict[str, int | str]


def _gx() -> Any:
    """Great Expectations, imported on first use; its INFO chatter kept out of our logs."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations

    return great_expectations


@cache
def _batch_definition() -> Any:
    """One ephemeral GX context per process; GX costs 4-5 s to import, so only when used."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # GX draws progress bars on stderr for every validation: none in our logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("flexwh_raw")
    return source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("run")


def _expectation(rule: Rule, expect: Expect) -> Any:
    gx = _gx()
    from great_expectations.expectations.row_conditions import Column

    kwargs: dict[str, Any] = dict(expect.kwargs)
    if expect.when:
        terms = [Column(c).is_null() if v == "null" else Column(c) == v for c, v in expect.when]
        condition = terms[0]
        for term in terms[1:]:
            condition = condition & term
        kwargs["row_condition"] = condition
    cls = getattr(gx.expectations, expect.name)
    return cls(**kwargs, meta={"check": rule.check, "label": expect.label})


def suite_columns(feed: str) -> list[str]:
    """The columns the feed's suite looks at: the only ones a batch needs to hold."""
    columns: list[str] = []
    for rule in SUITES[feed]:
        for expect in rule.expects:
            named = [expect.kwargs.get(key) for key in ("column", "column_A", "column_B")]
            for column in [*named, *expect.kwargs.get("column_list", []),
                           *(term for term, _ in expect.when)]:
                if column and column not in columns:
                    columns.append(column)
    return columns


def validate(feed: str, frame: pd.DataFrame, as_of: date) -> list[Outcome]:
    """Validate the rows of one feed against its suite; one Outcome per rule."""
    import pandas as pd

    gx = _gx()
    rules = SUITES[feed]
    suite = gx.ExpectationSuite(
        name=f"raw_{feed}",
        expectations=[_expectation(r, e) for r in rules for e in r.expects],
    )
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, expectation_parameters={"as_of": pd.Timestamp(as_of)})
    failures: dict[str, dict[str, int | str]] = {r.check: {} for r in rules}
    for item in result.results:
        if item.success:
            continue
        meta = item.expectation_config.meta
        count = item.result.get("unexpected_count")
        # No count means the expectation raised (its message may quote values: not logged).
        failures[meta["check"]][meta["label"]] = "raised an exception" if count is None else count
    return [Outcome(r, not failures[r.check], failures[r.check]) for r in rules]


def merge(parts: list[list[Outcome]]) -> list[Outcome]:
    """One Outcome per rule from the Outcomes of several batches of the same feed."""
    merged = []
    for outcomes in zip(*parts, strict=True):
        failures: dict[str, int | str] = {}
        for outcome in outcomes:
            for label, count in outcome.failures.items():
                known = failures.get(label, 0)
                both_counts = isinstance(known, int) and isinstance(count, int)
                failures[label] = known + count if both_counts else "raised an exception"
        merged.append(Outcome(outcomes[0].rule, all(o.passed for o in outcomes), failures))
    return merged
