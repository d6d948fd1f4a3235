"""Dagster events of one run -> progress lines, the end summary and the exit code."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("flexwh.dagster")

FEED_COUNTS = ("files_loaded", "files_rejected", "rows_loaded", "rows_rejected")


@dataclass(frozen=True)
class CheckFailure:
    asset: str
    check: str
    severity: str  # "ERROR" | "WARN"
    description: str | None

    def line(self) -> str:
        about = f": {self.description}" if self.description else ""
        return f"{self.asset} {self.check} ({self.severity}){about}"


@dataclass
class RunReport:
    run_id: str
    success: bool = True
    feeds: dict[str, dict[str, int]] = field(default_factory=dict)
    checks_passed: int = 0
    failed_checks: list[CheckFailure] = field(default_factory=list)
    step_errors: dict[str, str] = field(default_factory=dict)
    skipped_steps: list[str] = field(default_factory=list)
    succeeded_steps: list[str] = field(default_factory=list)

    @property
    def rejected_anything(self) -> bool:
        return any(c["files_rejected"] or c["rows_rejected"] for c in self.feeds.values())

    @property
    def exit_code(self) -> int:
        """operations.md: 1 failure, 3 success with rejections or warnings, 0 success."""
        errors = [c for c in self.failed_checks if c.severity == "ERROR"]
        if errors or self.step_errors or self.skipped_steps or not self.success:
            return 1
        if self.rejected_anything or self.failed_checks:
            return 3
        return 0

    @property
    def outcome(self) -> str:
        return {0: "success", 3: "warnings"}.get(self.exit_code, "failed")

    def totals(self) -> dict[str, int]:
        """Files and rows loaded and rejected over every feed."""
        return {k: sum(c[k] for c in self.feeds.values()) for k in FEED_COUNTS}

    def failure_line(self) -> str | None:
        """What made the run fail, in one line; None when it did not fail."""
        if self.exit_code != 1:
            return None
        errors = [c for c in self.failed_checks if c.severity == "ERROR"]
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return f"ERROR check failed: {errors[0].line()}{more}"
        for step, message in self.step_errors.items():
            return f"step {step} failed: {message}"
        return "the run failed; see the log"

    def summary_lines(self) -> list[str]:
        lines = [f"{'feed':<15}{'files loaded':>14}{'rejected':>10}{'rows loaded':>14}"
                 f"{'rejected':>10}"]
        for asset, c in sorted(self.feeds.items()):
            lines.append(f"{asset.removeprefix('raw_'):<15}{c['files_loaded']:>14,}"
                         f"{c['files_rejected']:>10,}{c['rows_loaded']:>14,}{c['rows_rejected']:>10,}")
        errors = sum(1 for c in self.failed_checks if c.severity == "ERROR")
        warnings = len(self.failed_checks) - errors
        lines.append(f"checks: {self.checks_passed} passed, {errors} errors failed, "
                     f"{warnings} warnings failed")
        lines += [f"  failed: {c.line()}" for c in self.failed_checks]
        return lines


def _value(metadata: dict[str, Any], key: str) -> Any:
    item = metadata.get(key)
    return getattr(item, "value", item)


def error_line(error: Any) -> str:
    """The innermost cause of a Dagster error, first line: what a user can act on."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    text = (error.message or error.cls_name or "unknown error").strip()
    if error.cls_name == "Failure":  # raised with its own one-line description
        text = text.split(": ", 1)[-1]
    if DBT_ERRORS in text:  # dagster-dbt's first line only says that dbt failed
        return (_dbt_error(text) or text.splitlines()[0])[:300]
    return text.splitlines()[0][:300] if text else "unknown error"


DBT_ERRORS = "Errors parsed from dbt logs:"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _dbt_error(text: str) -> str | None:
    """`dbt: <kind> Error in model M (path): <cause>` from dagster-dbt's parsed dbt errors."""
    lines = [ANSI.sub("", line).strip() for line in text.split(DBT_ERRORS, 1)[1].splitlines()]
    for i, line in enumerate(lines):
        if re.match(r"\w+ Error in ", line):
            cause = lines[i + 1] if i + 1 < len(lines) and lines[i + 1] else ""
            return f"dbt: {line}" + (f": {cause}" if cause else "")
    return None


# A step's log message with this prefix is shown on the console while the step runs.
PROGRESS = "progress: "
# A step that builds many models (dbt) shows how far it is every this many models.
MODELS_PER_PROGRESS_LINE = 10


class ProgressListener:
    """Instance event listener: logs every event, prints a line when a step ends."""

    def __init__(self, run_id: str, steps: list[str], write: Callable[[str], None],
                 log_events: bool = True):
        self.log_events = log_events  # False when replaying a stored run's events
        self.steps = steps
        self.total = len(steps)
        self.write = write
        self.done = 0
        self.finished: set[str] = set()
        self.started: dict[str, float] = {}
        self.materialized: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.checks: dict[str, list[CheckFailure | None]] = defaultdict(list)
        self.report_ = RunReport(run_id)

    def __call__(self, entry: Any) -> None:
        event = entry.dagster_event
        message = entry.user_message or (event.message if event else None)
        if message and self.log_events:
            level = entry.level if isinstance(entry.level, int) else logging.INFO
            log.log(level, "%s %s", entry.step_key or "-", message)
        if event is None:
            if message and message.startswith(PROGRESS) and self.log_events:
                self.write(f"      {entry.step_key}: {message.removeprefix(PROGRESS)}")
            return
        step = event.step_key
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = entry.timestamp
        elif kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            self.materialized[step].append(dict(materialization.metadata))
            built = len(self.materialized[step])
            if self.log_events and built % MODELS_PER_PROGRESS_LINE == 0:
                self.write(f"      {step}: {built} models built so far")
        elif kind == "ASSET_CHECK_EVALUATION":
            self._check(step, event.event_specific_data)
        elif kind == "STEP_SUCCESS":
            self.report_.succeeded_steps.append(step)
            self._finished(step, entry.timestamp, self._success_text(step))
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            if error.cls_name == "DagsterAssetCheckFailedError":
                # A blocking ERROR check failed: reported as a check, not as a crash.
                self._finished(step, entry.timestamp, self._success_text(step))
                return
            log.error("step %s failed:\n%s", step, error.to_string())
            self.report_.step_errors[step] = error_line(error)
            self._finished(step, entry.timestamp, f"FAILED: {error_line(error)}")
        elif kind == "STEP_SKIPPED":
            self._not_run(step, "skipped")

    def _check(self, step: str, evaluation: Any) -> None:
        if evaluation.passed:
            self.checks[step].append(None)
            self.report_.checks_passed += 1
            return
        failure = CheckFailure(evaluation.asset_key.to_user_string(), evaluation.check_name,
                               evaluation.severity.value, evaluation.description)
        self.checks[step].append(failure)
        self.report_.failed_checks.append(failure)

    def _success_text(self, step: str) -> str:
        materialized = self.materialized.get(step, [])
        parts = []
        if step.startswith("raw_") and len(materialized) == 1:
            counts = {k: int(_value(materialized[0], k) or 0) for k in FEED_COUNTS}
            self.report_.feeds[step] = counts
            parts.append(f"{counts['files_loaded']:,} files loaded, "
                         f"{counts['files_rejected']:,} rejected; {counts['rows_loaded']:,} "
                         f"rows loaded, {counts['rows_rejected']:,} rejected")
        elif materialized and all("summary" in item for item in materialized):
            parts += [str(_value(item, "summary")) for item in materialized]  # publication
        elif materialized and all("dbt" in item for item in materialized):
            parts.append(f"{len(materialized)} models current ({_value(materialized[0], 'dbt')})")
        elif materialized:
            parts.append(f"{len(materialized)} models built")
        results = self.checks.get(step, [])
        if results:
            failed = [f for f in results if f is not None]
            text = f"{len(results) - len(failed)} checks passed"
            if failed:
                text += ", failed: " + ", ".join(f"{f.check} ({f.severity})" for f in failed)
            parts.append(text)
        return "; ".join(parts) or "done"

    def _not_run(self, step: str, why: str) -> None:
        self.report_.skipped_steps.append(step)
        self._finished(step, None, why)

    def _finished(self, step: str, timestamp: float | None, text: str) -> None:
        if step in self.finished:
            return
        self.finished.add(step)
        self.done += 1
        started = self.started.get(step)
        took = f" ({timestamp - started:.1f} s)" if started and timestamp else ""
        self.write(f"[{self.done}/{self.total}] {step}: {text}{took}")

    def report(self, success: bool) -> RunReport:
        """The end of the run: steps that never ran (an upstream step failed) get a line."""
        for step in self.steps:
            if step not in self.finished:
                self._not_run(step, "not run: a step or an ERROR check upstream failed")
        self.report_.success = success
        return self.report_
