"""`flexwh fetch`: the feeds from Autodesk's APS Insights API into the landing folder;
`flexwh aps-stand-in`: the local stand-in of that API, for the demo and for trying it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date

from core.run_lock import run_lock
from core.settings import Settings

EXIT_OK, EXIT_FAILED = 0, 1


def add_fetch_parsers(commands: argparse._SubParsersAction, day: Callable[[str], date]
                      ) -> None:
    fetch = commands.add_parser(
        "fetch", help="fetch the feeds from Autodesk's APS Insights API into the landing folder")
    fetch.add_argument("--from", dest="first", type=day,
                       help="first day of usage (default: the day after the last fetched "
                            "day; 365 days before --to on a first fetch)")
    fetch.add_argument("--to", dest="last", type=day, help="last day (default: as_of)")
    stand_in = commands.add_parser(
        "aps-stand-in", help="serve a local stand-in of the APS API with the demo data")
    stand_in.add_argument("--port", type=int, default=8765)
    stand_in.add_argument("--end-date", type=day, help="last day of usage (default: as_of)")


def cmd_fetch(args: argparse.Namespace, settings: Settings, usage_error: type[Exception]
              ) -> int:
    from aps.errors import ApsError
    from aps.fetch import fetch
    from aps.settings import ApsSettings

    aps = ApsSettings.from_env(settings)
    if aps is None:
        raise usage_error("APS is not configured: set FLEXWH_APS_CLIENT_ID, "
                          "FLEXWH_APS_CLIENT_SECRET and FLEXWH_APS_REFRESH_TOKEN "
                          "(docs/operations.md, Fetching from Autodesk)")
    if args.first and args.last and args.first > args.last:
        raise usage_error(f"--from {args.first} is after --to {args.last}")

    def write(line: str) -> None:
        print(line, flush=True)

    try:
        with run_lock(settings, on_wait=write):
            report = fetch(settings, aps, args.first, args.last, progress=write)
    except ApsError as error:
        print(f"flexwh fetch: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(report.summary())
    return EXIT_OK


def cmd_aps_stand_in(args: argparse.Namespace, settings: Settings) -> int:
    from aps_stand_in.server import ApsStandIn
    from sample_feeds.aps_exports import ApsExportData

    print("aps-stand-in: simulating the demo teams ...", flush=True)
    api = ApsStandIn(ApsExportData("demo", 42, args.end_date or settings.as_of))
    api.start(args.port)
    print(f"aps-stand-in: serving on {api.url} (Ctrl-C stops it); in another shell:\n"
          f"  export FLEXWH_APS_BASE_URL={api.url}\n"
          f"  export FLEXWH_APS_CLIENT_ID={api.client_id}\n"
          f"  export FLEXWH_APS_CLIENT_SECRET={api.client_secret}\n"
          f"  export FLEXWH_APS_REFRESH_TOKEN={api.refresh_token}\n"
          "  .venv/bin/flexwh fetch && .venv/bin/flexwh run", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()
    return EXIT_OK
