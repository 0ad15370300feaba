"""What `briefbot import` and `briefbot new` do, as functions the command line calls.

Each writes one new file (never over an existing one), then loads it with the real
loader, together with the other files of its folder so that a clash of ids or aliases
shows, and prints like `briefbot validate`: every problem on its own line on standard
output, then a summary line. Usage problems go to standard error. Exit status: 0 the
file was written and loads (warnings may have been printed), 1 it was written but has
errors, or it could not be written (it exists, or the document has no section), 2 a
usage error (no such input file or output folder, or an id that is not a slug).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.authoring.document import DocumentShapeError
from bot.authoring.importer import import_document
from bot.authoring.template import briefing_template
from bot.briefings.loader import FileResult, display_path, load_files
from bot.briefings.models import SLUG_PATTERN

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_MAX_ID_LENGTH = 64
_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


def id_from_file_name(path: Path) -> str | None:
    """A briefing id made from a file's name (`Harbour Ferry.txt` → `harbour-ferry`), if any."""
    slug = _NOT_SLUG_CHARACTERS.sub("-", path.stem.lower()).strip("-")
    slug = slug[:_MAX_ID_LENGTH].rstrip("-")
    return slug or None


def is_valid_id(topic_id: str) -> bool:
    """Whether `topic_id` can name a briefing file: a slug of at most 64 characters."""
    return len(topic_id) <= _MAX_ID_LENGTH and re.fullmatch(SLUG_PATTERN, topic_id) is not None


def _usage(command: str, message: str) -> int:
    print(f"briefbot {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _check_target(command: str, topic_id: str, output_dir: Path) -> int | None:
    if not is_valid_id(topic_id):
        return _usage(
            command,
            f"'{topic_id}' is not a valid id: use lowercase a-z, 0-9 and single dashes "
            f"(at most {_MAX_ID_LENGTH} characters)",
        )
    if not output_dir.is_dir():
        return _usage(command, f"no such folder: {output_dir}")
    return None


def _write_new_file(command: str, target: Path, text: str) -> bool:
    """Create `target` with `text`; refuse, and say so, when it already exists."""
    try:
        with target.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        print(
            f"briefbot {command}: {display_path(target)} already exists; not overwriting it "
            "(choose another id, or move the file away first)",
            file=sys.stderr,
        )
        return False
    except OSError as exc:
        print(
            f"briefbot {command}: cannot write {display_path(target)}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return False
    return True


def _loaded(target: Path, stale_after_days: int) -> FileResult:
    """The written file's result, loaded with its folder so that name clashes show."""
    results = load_files([target.parent], stale_after_days=stale_after_days).files
    for path, result in results.items():
        if path.name == target.name:
            return result
    raise AssertionError(f"{target} was written but not found by the loader")  # pragma: no cover


def _report(target: Path, earlier_warnings: int, stale_after_days: int) -> int:
    result = _loaded(target, stale_after_days)
    for problem in result.problems:
        print(problem)
    sections = len(result.briefing.sections) if result.briefing else 0
    warnings = earlier_warnings + len(result.warnings)
    print(
        f"wrote {display_path(target)}: {sections} section(s), "
        f"{len(result.errors)} error(s), {warnings} warning(s)"
    )
    return EXIT_ERRORS if result.errors else EXIT_OK


def run_import(
    path: Path, topic_id: str | None, output_dir: Path, *, stale_after_days: int = 365
) -> int:
    """`briefbot import FILE [--id ID] [--output DIR]`: write DIR/ID.yaml; the exit status."""
    command = "import"
    if not path.is_file():
        return _usage(command, f"no such file: {path}")
    topic = topic_id or id_from_file_name(path)
    if topic is None:
        return _usage(command, f"cannot make an id from the name {path.name!r}: give --id")
    problem = _check_target(command, topic, output_dir)
    if problem is not None:
        return problem
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"briefbot {command}: cannot read {display_path(path)}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    try:
        result = import_document(text, topic_id=topic, source_name=display_path(path))
    except DocumentShapeError as exc:
        print(f"briefbot {command}: {display_path(path)}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    target = output_dir / f"{topic}.yaml"
    if not _write_new_file(command, target, result.yaml_text):
        return EXIT_ERRORS
    for warning in result.warnings:
        print(warning)
    return _report(target, len(result.warnings), stale_after_days)


def run_new(topic_id: str, output_dir: Path, *, stale_after_days: int = 365) -> int:
    """`briefbot new ID [--output DIR]`: write the commented template DIR/ID.yaml."""
    command = "new"
    problem = _check_target(command, topic_id, output_dir)
    if problem is not None:
        return problem
    target = output_dir / f"{topic_id}.yaml"
    if not _write_new_file(command, target, briefing_template(topic_id)):
        return EXIT_ERRORS
    return _report(target, 0, stale_after_days)
