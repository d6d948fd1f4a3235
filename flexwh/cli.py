"""The `flexwh` command (operations.md): generate, run, export, demo, status, fetch.

Exit codes of `run` and `demo`: 0 success; 3 success, but files or rows were rejected or a
WARN check failed; 1 an ERROR check failed or a step crashed; 2 usage error. A setting
that cannot be used (FLEXWH_AS_OF=31/02/2026, FLEXWH_THREADS=many) is a usage error like
a bad `--as-of`: exit 2 with one line naming the variable. Errors are one line on stderr;
tracebacks go to $FLEXWH_DATA_DIR/logs/flexwh.log.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from core.permissions import private_umask
from core.settings import Settings, SettingsError
from core.warehouse import WarehouseBusyError
from flexwh.export_command import add_export_parser, cmd_export
from flexwh.fetch_command import add_fetch_parsers, cmd_aps_stand_in, cmd_fetch

log = logging.getLogger("flexwh")

PRESETS = ("demo", "enterprise", "bench-1m", "bench-10m")  # operations.md
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WARNINGS = 0, 1, 2, 3


class UsageError(Exception):
    """Wrong arguments or settings: exit 2."""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flexwh", description="Autodesk Flex token usage warehouse."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write sample feeds into a landing folder")
    generate.add_argument("--preset", choices=PRESETS, default="demo")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--end-date", type=_day, help="last day of usage (default: as_of)")
    generate.add_argument("--dirty", action="store_true", help="include realistic bad rows")
    generate.add_argument("--out", type=Path, help="folder (default: FLEXWH_LANDING_DIR)")

    run = commands.add_parser("run", help="ingest new files, build and check the warehouse")
    run.add_argument("--as-of", type=_day, help="reporting day (default: FLEXWH_AS_OF)")
    run.add_argument("--full-refresh", action="store_true", help="rebuild every dbt model")
    run.add_argument("--rotate-hash-key", action="store_true",
                     help="accept a hash key other than the warehouse's: every user key "
                          "changes (implies --full-refresh)")

    add_export_parser(commands, _day)
    add_fetch_parsers(commands, _day)
    commands.add_parser("demo", help="generate the demo feeds when landing is empty, then run")
    status = commands.add_parser("status", help="what the last runs ingested and rejected")
    status.add_argument("--rejections", action="store_true",
                        help="why files and rows were rejected, file by file")
    return parser


def setup_logging(settings: Settings) -> Path:
    """Everything (Dagster events, warnings, tracebacks) to the log file, nothing to the console."""
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / "flexwh.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_flexwh", False):
            root.removeHandler(old)
            old.close()
    handler._flexwh = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # Dagster's SQLite migrations
    logging.captureWarnings(True)
    return path


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    generate_feeds(settings, args.preset, args.seed, args.end_date, args.dirty,
                   args.out or settings.landing_dir)
    return EXIT_OK


def generate_feeds(settings: Settings, preset: str, seed: int, end_date: date | None,
                   dirty: bool, out: Path) -> None:
    from sample_feeds import generate

    lines: list[str] = []

    def progress(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    try:
        summary = generate(preset=preset, seed=seed, end_date=end_date, dirty=dirty, out=out,
                           progress=progress)
    except ValueError as error:  # unknown preset, or a landing folder with feeds already
        raise UsageError(str(error)) from error
    if not lines or lines[-1] != summary.summary():
        print(summary.summary())


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from flexwh.runner import run_nightly

    as_of = getattr(args, "as_of", None)
    full_refresh = getattr(args, "full_refresh", False)
    day = (as_of or settings.as_of).isoformat()
    print(f"flexwh run: as of {day}, warehouse {settings.warehouse}"
          + (", full refresh" if full_refresh else ""))
    log_file = settings.data_dir / "logs" / "flexwh.log"
    console = sys.stdout  # the run sends stdout (dbt's echo) to the log: progress comes here

    def write(line: str) -> None:
        print(line, file=console, flush=True)

    with open(log_file, "a", encoding="utf-8") as stream:
        report = run_nightly(settings, as_of, full_refresh, write=write, log_stream=stream,
                             rotate_hash_key=getattr(args, "rotate_hash_key", False))
    for line in report.summary_lines():
        print(line)
    code = report.exit_code
    verdict = {EXIT_OK: "success", EXIT_WARNINGS: "success with rejections or warnings",
               EXIT_FAILED: "FAILED"}[code]
    print(f"run {report.run_id}: {verdict} (exit {code}); log: {log_file}")
    if code == EXIT_FAILED:
        print(f"flexwh run: {_failure_line(report)}", file=sys.stderr)
    return code


def _failure_line(report) -> str:
    return report.failure_line() or "the run failed; see the log"


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    landing = settings.landing_dir
    if not landing.exists() or not any(p.is_file() for p in landing.rglob("*")):
        print(f"flexwh demo: landing folder {landing} is empty: generating the demo feeds")
        # The demo's last day of usage is the reporting day, so every report has data.
        generate_feeds(settings, "demo", 42, settings.as_of, False, landing)
    return cmd_run(args, settings)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from flexwh.status import print_status

    return print_status(settings, rejections=args.rejections)


COMMANDS = {
    "generate": cmd_generate, "run": cmd_run, "demo": cmd_demo, "status": cmd_status,
    "export": lambda args, settings: cmd_export(args, settings, UsageError),
    "fetch": lambda args, settings: cmd_fetch(args, settings, UsageError),
    "aps-stand-in": cmd_aps_stand_in,
}


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on a usage error
    try:
        settings = Settings.from_env()
    except SettingsError as error:  # before the log file: its folder may be the bad setting
        print(f"flexwh {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    private_umask()  # what flexwh writes may hold personal data: never world-readable
    try:
        log_file = setup_logging(settings)
    except OSError as error:  # a read-only or unusable data folder
        if args.command != "status":  # status only reads: it goes on without a log file
            print(f"flexwh {args.command}: FLEXWH_DATA_DIR: the folder {settings.data_dir} "
                  f"cannot be written: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        log_file = None
    try:
        return COMMANDS[args.command](args, settings)
    except (SettingsError, UsageError) as error:
        log.exception("usage error")
        print(f"flexwh {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusyError as error:  # another run holds the warehouse: nothing was done
        log.warning("flexwh %s: %s", args.command, error)
        print(f"flexwh {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"flexwh {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # one line on the console, the traceback in the log
        log.exception("flexwh %s failed", args.command)
        print(f"flexwh {args.command}: {type(error).__name__}: {_one_line(error)} "
              f"(traceback in {log_file})", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
