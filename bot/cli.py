"""The `briefbot` command line: run the bot, try it offline, and check briefing files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.briefings.loader import LoadResult, display_path, load_files
from bot.briefings.schema import SCHEMA_FILE_NAME, briefing_schema_text
from bot.config import ClusterSettings, ConfigError, Settings, load_settings

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
    parser.add_argument(
        "--debug", action="store_true", help="when `run` cannot start, show the traceback too"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="connect to Discord (needs DISCORD_TOKEN)",
        description="Connect to Discord and serve until stopped. Exit statuses: 0 stopped, "
        "1 unexpected error, 2 no token or bad config, 3 token rejected, 4 Discord "
        "unreachable, 5 gateway refused (intents, sharding), 6 database unusable.",
    )
    worker = commands.add_parser(
        "worker",
        help="deliver digests without a gateway connection (needs DISCORD_TOKEN)",
        description="Run the digest scheduler and delivery over REST only, for deployments "
        "that keep delivery apart from the shards. Same exit statuses as `run`.",
    )
    for runner in (run, worker):
        # The same flag after the command; SUPPRESS keeps it from resetting an earlier one.
        runner.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback"
        )
    run.add_argument("--shards", help="this process's shards, e.g. 0-3 (needs --shard-count)")
    run.add_argument("--shard-count", type=int, help="the number of shards in the cluster")
    import_ = commands.add_parser("import", help="convert a news document into a briefing file")
    import_.add_argument("file", type=Path, help="the document, e.g. news.txt")
    import_.add_argument("--id", dest="topic_id", help="briefing id (default: from the file name)")
    import_.add_argument("--output", type=Path, help="folder to write to (default: briefings_dir)")
    new = commands.add_parser("new", help="write a commented template for a new briefing")
    new.add_argument("topic_id", metavar="ID", help="the new briefing's id, e.g. harbour-ferry")
    new.add_argument("--output", type=Path, help="folder to write to (default: briefings_dir)")
    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    copy = db_commands.add_parser(
        "copy",
        help="copy a SQLite deployment into an empty PostgreSQL database",
        description="Copy subscriptions, the delivery ledger, stored digests, section history "
        "and bot state from SQLite into an empty PostgreSQL database, in one transaction, "
        "then print the row counts of each table on both sides. Stop the bot first. "
        "Exit statuses: 0 copied, 1 nothing copied (see the message), 2 bad URL.",
    )
    copy.add_argument("source", metavar="SQLITE_URL", help="e.g. sqlite:///data/briefbot.sqlite3")
    copy.add_argument("target", metavar="POSTGRES_URL", help="e.g. postgresql://user@host/briefbot")
    commands.add_parser("demo", help="try the bot offline against a simulated Discord")
    validate = commands.add_parser("validate", help="check briefing files; exit 1 on any error")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all)")
    validate.add_argument(
        "--verbose", action="store_true", help="also list each valid file's sections and ids"
    )
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


def _section_ids(result: LoadResult) -> list[str]:
    """For `validate --verbose`: each valid file's sections by number and id."""
    lines: list[str] = []
    for path, outcome in result.files.items():
        briefing = outcome.briefing
        if briefing is None:
            continue
        lines.append(f"{display_path(path)}: {len(briefing.sections)} section(s)")
        for number, section in enumerate(briefing.sections, start=1):
            note = " (from its position; give it an id to keep links stable)"
            lines.append(
                f"  {number}. {section.id}{note if briefing.has_default_id(section) else ''}"
            )
    return lines


def _validate(settings: Settings, paths: Sequence[Path], *, verbose: bool = False) -> int:
    targets = list(paths) or [settings.briefings_dir]
    missing = [p for p in targets if not p.exists()]
    if missing:
        for path in missing:
            print(f"briefbot validate: no such file or folder: {path}", file=sys.stderr)
        return EXIT_USAGE
    result = load_files(targets, stale_after_days=settings.stale_after_days)
    for problem in result.problems:
        print(problem)
    if verbose:
        for line in _section_ids(result):
            print(line)
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
    from bot.text.echo import echo
    from bot.text.i18n import translate

    as_file = Path(topic)
    given_file = as_file.suffix in (".yaml", ".yml") and as_file.is_file()
    folder = settings.briefings_dir
    library, result = load_library(
        [as_file] if given_file else [folder], stale_after_days=settings.stale_after_days
    )
    _print_problems(result)
    # A file that failed to load is "not loaded", not "no such briefing".
    file = as_file if given_file else folder / f"{topic}.yaml"
    errors = [p for p in result.errors if Path(p.file).resolve() == file.resolve()]
    if errors or (given_file and not result.briefings):
        print(f"{display_path(file)}: not loaded: {len(errors)} error(s)", file=sys.stderr)
        return EXIT_ERRORS
    if given_file:
        topic = result.briefings[0].id
    try:
        print(plain_text_preview(library, topic, section, dt.datetime.now(dt.UTC)))
    except UserFacingError as exc:
        params = {name: echo(value, "en") for name, value in exc.params.items()}
        print(translate(exc.key, "en", **params), file=sys.stderr)
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


def _db_copy(source: str, target: str) -> int:
    from bot.discord import event_loop
    from bot.store.copy import CopyError, copy_database

    try:
        report = event_loop.run(copy_database(source, target))
    except ValueError as exc:  # a URL of no known kind, or the wrong kind of store
        print(f"briefbot db copy: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CopyError as exc:
        print(f"briefbot db copy: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    for line in report.lines():
        print(line)
    return EXIT_OK


def _with_shards(settings: Settings, shards: str | None, shard_count: int | None) -> Settings:
    """Settings with `--shards` / `--shard-count` in place of config.yaml's; ConfigError if bad."""
    if shards is None and shard_count is None:
        return settings
    update = settings.cluster.model_dump()
    update.update(
        {k: v for k, v in (("shards", shards), ("shard_count", shard_count)) if v is not None}
    )
    try:
        cluster = ClusterSettings.model_validate(update)
    except ValidationError as exc:
        reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise ConfigError(
            f"--shards {shards or ''} --shard-count {shard_count}: {reason}"
        ) from None
    return settings.model_copy(update={"cluster": cluster})


def _run(settings: Settings, *, debug: bool, gateway: bool = True) -> int:
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

    return run_bot(settings, debug=debug, gateway=gateway)


def _demo(settings: Settings) -> int:
    from bot.discord.demo import run_demo

    return run_demo(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "db":  # needs no settings: a broken config.yaml must not block it
        return _db_copy(args.source, args.target)
    try:
        if args.config is None:
            settings = load_settings(DEFAULT_CONFIG, missing_ok=True)
        else:
            settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "validate":
        return _validate(settings, args.paths, verbose=args.verbose)
    if args.command == "preview":
        return _preview(settings, args.topic, args.section)
    if args.command == "schema":
        return _schema(settings, args.output, args.check)
    if args.command == "import":
        from bot.authoring.commands import run_import

        output = args.output or settings.briefings_dir
        return run_import(
            args.file, args.topic_id, output, stale_after_days=settings.stale_after_days
        )
    if args.command == "new":
        from bot.authoring.commands import run_new

        output = args.output or settings.briefings_dir
        return run_new(args.topic_id, output, stale_after_days=settings.stale_after_days)
    if args.command == "demo":
        return _demo(settings)
    if args.command == "worker":
        return _run(settings, debug=args.debug, gateway=False)
    try:
        settings = _with_shards(settings, args.shards, args.shard_count)
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(settings, debug=args.debug)
