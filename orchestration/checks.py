"""Asset checks of the raw feeds: GX suites (expectations.py) and two SQL checks.

Every check looks at the rows that the asset's latest materialization loaded (the files
`audit.ingested_files` records as loaded by that run): a run that loaded nothing passes.
"""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameter annotations of the decorated functions at definition time.
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    multi_asset_check,
)

from ingest.feeds import FEEDS
from orchestration.assets.ingest import raw_asset_key
from orchestration.expectations import ERROR, SUITES, WARN
from orchestration.gx_batches import validate_run
from orchestration.progress import PROGRESS
from orchestration.resources import WarehouseResource

SEVERITY = {ERROR: AssetCheckSeverity.ERROR, WARN: AssetCheckSeverity.WARN}

NO_REJECTIONS = "no_rejections"
ONE_IDENTITY_KIND = "one_identity_kind_per_team_day"

RUN_ROWS = """
select * exclude (_extra) from raw.{feed}
where _file_sha256 in (
    select sha256 from audit.ingested_files where run_id = ? and feed = ? and status = 'loaded'
)
"""
# A (team, day) counts from the latest file that has rows for it (feeds.md re-delivery).
MIXED_IDENTITIES = """
with latest as (
    select team, day_used,
        case when autodesk_id is not null then 'autodesk_id'
             when hashed_autodesk_id is not null then 'hashed_autodesk_id'
             else 'email' end as identity_kind
    from ({rows})
    qualify _file_seq = max(_file_seq) over (partition by team, day_used)
)
select team, day_used from latest group by team, day_used
having count(distinct identity_kind) > 1 order by team, day_used
"""

REJECTIONS = """
select count(*) filter (where status = 'rejected'), coalesce(sum(rows_rejected), 0)
from audit.ingested_files where run_id = ? and feed = ?
"""


def check_specs(feed: str) -> list[AssetCheckSpec]:
    """Specs of one feed's checks; the severity is in the metadata (results carry it too)."""
    key = raw_asset_key(feed)
    specs = [
        AssetCheckSpec(rule.check, asset=key, description=rule.description,
                       blocking=rule.severity == ERROR, metadata={"severity": rule.severity})
        for rule in SUITES[feed]
    ]
    if feed == "usage":
        specs.append(AssetCheckSpec(
            ONE_IDENTITY_KIND, asset=key, metadata={"severity": WARN},
            description="A team has one kind of user identity (Autodesk ID, hashed ID or "
                        "e-mail) per day of usage.",
        ))
    specs.append(AssetCheckSpec(
        NO_REJECTIONS, asset=key, metadata={"severity": WARN},
        description="The run rejected no file and no row of this feed (see audit tables).",
    ))
    return specs


def _result(feed: str, check: str, passed: bool, severity: str,
            metadata: dict[str, object], description: str | None = None) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=raw_asset_key(feed), check_name=check, passed=passed,
        severity=SEVERITY[severity], metadata=metadata, description=description,
    )


def _suite_results(feed: str, outcomes: list, scope: dict[str, object]
                   ) -> Iterator[AssetCheckResult]:
    if not outcomes:  # nothing new: nothing to validate (and GX is not even imported)
        for rule in SUITES[feed]:
            yield _result(feed, rule.check, True, rule.severity, scope, "No rows to check.")
        return
    for outcome in outcomes:
        failing = {f"failing rows: {label}": n for label, n in outcome.failures.items()}
        yield _result(feed, outcome.rule.check, outcome.passed, outcome.rule.severity,
                      {**scope, **failing})


def _rejections_result(feed: str, files: int, rows: int, run_id: str) -> AssetCheckResult:
    about = f"{files} files and {rows} rows rejected: `flexwh status --rejections` says why."
    return _result(feed, NO_REJECTIONS, not (files or rows), WARN,
                   {"run_id": run_id, "files_rejected": files, "rows_rejected": rows},
                   about if files or rows else None)


def build_feed_checks(feed: str) -> AssetChecksDefinition:
    """All checks of one feed in one step: the run's rows are read and validated once."""

    @multi_asset_check(specs=check_specs(feed), name=f"raw_{feed}_checks")
    def _checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        # The run that last materialized the feed: this run in a full job, and still the
        # right rows when the checks are re-run alone from the UI.
        event = context.instance.get_latest_materialization_event(AssetKey(raw_asset_key(feed)))
        run_id = event.run_id if event else context.run.run_id
        rows_sql = RUN_ROWS.format(feed=feed)
        as_of = warehouse.settings().as_of
        outcomes, rows_checked, files_rejected, rows_rejected, mixed = [], 0, 0, 0, []
        if warehouse.settings().warehouse.exists():
            with warehouse.connect(read_only=True) as con:
                settings = warehouse.settings()
                outcomes, rows_checked = validate_run(
                    con, str(settings.warehouse), settings.duckdb_config(), feed, run_id,
                    as_of, lambda line: context.log.info(PROGRESS + line))
                [(files_rejected, rows_rejected)] = con.execute(
                    REJECTIONS, [run_id, feed]).fetchall()
                mixed = con.execute(MIXED_IDENTITIES.format(rows=rows_sql), [run_id, feed]
                                    ).fetchall() if feed == "usage" else []
        scope = {"run_id": run_id, "rows_checked": rows_checked}

        yield from _suite_results(feed, outcomes, scope)
        if feed == "usage":
            examples = ", ".join(f"{team} {day}" for team, day in mixed[:10])
            yield _result(feed, ONE_IDENTITY_KIND, not mixed, WARN,
                          {**scope, "team_days": len(mixed), "examples": examples})
        yield _rejections_result(feed, int(files_rejected), int(rows_rejected), run_id)

    return _checks


raw_checks = [build_feed_checks(feed) for feed in FEEDS]
