"""`flexwh export`: the on-demand export of operations.md, arguments and command."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core.settings import Settings


def add_export_parser(commands, day: Callable[[str], date]) -> None:
    export = commands.add_parser("export", help="export teams' files on demand")
    teams = export.add_mutually_exclusive_group(required=True)
    teams.add_argument("--team", action="append", metavar="T", help="a team (repeatable)")
    teams.add_argument("--all-teams", action="store_true")
    export.add_argument("--reports", default="subscriptions,users,usage",
                        help="comma-separated: subscriptions, users, usage, "
                        "chargeback, flex_fit")
    dates = export.add_mutually_exclusive_group()
    dates.add_argument("--all-dates", action="store_true", help="every day up to as_of")
    dates.add_argument("--from", dest="start", type=day, metavar="D")
    export.add_argument("--to", dest="end", type=day, metavar="D")
    export.add_argument("--format", dest="fmt", choices=("csv", "xlsx", "parquet"),
                        default="csv")
    export.add_argument("--pii", choices=("named", "hashed"),
                        help="default: named when every team allows it, else hashed")
    export.add_argument("--out", type=Path, help="parent folder of the export folder")


def cmd_export(args: argparse.Namespace, settings: Settings, usage_error: type) -> int:
    import duckdb

    from exports.folder import ON_DEMAND_REPORTS
    from exports.on_demand import ExportError, OnDemandExport, run_export
    from exports.serving import SERVING_DB

    reports = [name.strip() for name in args.reports.split(",") if name.strip()]
    unknown = [name for name in reports if name not in ON_DEMAND_REPORTS]
    if unknown or not reports:
        raise usage_error(f"--reports: unknown report {unknown[0] if unknown else '(none)'!r}; "
                          f"choose from {', '.join(ON_DEMAND_REPORTS)}")
    if args.end and args.all_dates:
        raise usage_error("--to cannot be combined with --all-dates")
    request = OnDemandExport(teams=tuple(args.team or ()), reports=tuple(reports),
                             start=args.start, end=args.end, all_dates=args.all_dates,
                             fmt=args.fmt, pii=args.pii, out=args.out)
    # The serving database: what the last successful run published, never the warehouse
    # (whose marts a failed run may have left unpublished). Read-only: never blocks anyone.
    serving = settings.serving_dir / SERVING_DB
    if not serving.is_file():
        raise usage_error(f"nothing published yet ({serving} does not exist): run "
                          "`flexwh run` first")
    with duckdb.connect(str(serving), read_only=True, config=settings.duckdb_config()) as con:
        try:
            folder = run_export(con, request, settings.export_dir)
        except (ExportError, LookupError) as error:
            raise usage_error(str(error)) from error
    print(f"flexwh export: wrote {folder}")
    return 0
