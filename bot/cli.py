"""The `briefbot` command line: run the bot, try it offline, and check briefing files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.briefings.loader import LoadResult, load_files
from bot.briefings.schema import SCHEMA_FILE_NAME, briefing_schema_text
from bot.config import ConfigError, Settings, load_settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
DEFAULT_CONFIG = Path("config.yaml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot", description="A Discord bot that serves curated topic briefings."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help=f"settings file (default: {DEFAULT_CONFIG}; built-in defaults when it is absent)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    commands.add_parser("demo", help="try the bot offline against a simulated Discord")
    validate = commands.add_parser("validate", help="check briefing files; exit 1 on any error")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all)")
    preview = commands.add_parser("preview", help="print a briefing as the bot presents it")
    preview.add_argument("topic", help="briefing id or alias")
    preview.add_argument("section", nargs="?", help="section id, heading or number")
    schema = commands.add_parser("schema", help=f"write {SCHEMA_FILE_NAME} from the models")
    schema.add_argument("--output", type=Path, help="where to write (default: briefings folder)")
    schema.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    return parser


def _print_problems(result: LoadResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr)


def _validate(settings: Settings, paths: Sequence[Path]) -> int:
    targets = list(paths) or [settings.briefings_dir]
    missing = [p for p in targets if not p.exists()]
    if missing:
        for path in missing:
            print(f"briefbot validate: no such file or folder: {path}", file=sys.stderr)
        return EXIT_USAGE
    result = load_files(targets, stale_after_days=settings.stale_after_days)
    for problem in result.problems:
        print(problem)
    errors, warnings = len(result.errors), len(result.warnings)
    print(
        f"{len(result.files)} file(s), {len(result.briefings)} valid, "
        f"{errors} error(s), {warnings} warning(s)"
    )
    return EXIT_ERRORS if errors else EXIT_OK


def _preview(settings: Settings, topic: str, section: str | None) -> int:
    from bot.briefings.library import load_library
    from bot.briefings.presentation import plain_text_preview
    from bot.errors import UserFacingError
    from bot.text.i18n import translate

    library, result = load_library(
        [settings.briefings_dir], stale_after_days=settings.stale_after_days
    )
    _print_problems(result)
    try:
        print(plain_text_preview(library, topic, section))
    except UserFacingError as exc:
        print(translate(exc.key, "en", **exc.params), file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def _schema(settings: Settings, output: Path | None, check: bool) -> int:
    target = output or settings.briefings_dir / SCHEMA_FILE_NAME
    text = briefing_schema_text()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date: run `briefbot schema`", file=sys.stderr)
            return EXIT_ERRORS
        return EXIT_OK
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"briefbot schema: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS
    print(f"wrote {target}")
    return EXIT_OK


def _run(settings: Settings) -> int:
    result = load_files([settings.briefings_dir], stale_after_days=settings.stale_after_days)
    _print_problems(result)
    if settings.discord_token is None:
        print(
            f"{len(result.briefings)} briefing(s) are valid. To connect to Discord, set "
            "DISCORD_TOKEN in a .env file next to config.yaml (copy .env.example), or in the "
            "environment, then run `make run` again. To try the bot offline: `make demo`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from bot.discord.runner import run_bot

    run_bot(settings)
    return EXIT_OK


def _demo(settings: Settings) -> int:
    from bot.discord.demo import run_demo

    return run_demo(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.config is None:
            settings = load_settings(DEFAULT_CONFIG, missing_ok=True)
        else:
            settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "validate":
        return _validate(settings, args.paths)
    if args.command == "preview":
        return _preview(settings, args.topic, args.section)
    if args.command == "schema":
        return _schema(settings, args.output, args.check)
    if args.command == "demo":
        return _demo(settings)
    return _run(settings)
