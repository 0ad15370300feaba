"""What makes parsed briefing data valid: the models, the file name, the limits, the warnings.

`validate_briefing` checks one file's plain data against the models and turns every
pydantic error into a message an admin can act on, placed at the node to fix;
`check_semantics` adds the rules the models cannot express, and `check_warnings` what
the bot can show but not as written. Each rule costs time linear in the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import ScalarNode

from bot.briefings.models import SLUG_PATTERN, Briefing, Section, Source, fields_of
from bot.briefings.problems import LaterMessage, ProblemCollector, Severity
from bot.briefings.yaml_tree import quote_value

# The most sections one briefing may declare (docs/briefing-format.md says why).
MAX_SECTIONS = 250

# Discord's limits for the places where briefing text is shown.
EMBED_TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
DESCRIPTION_LIMIT = 4096

_SLUG = re.compile(SLUG_PATTERN)

_FIELDS_AT: dict[tuple[str, ...], Iterable[str]] = {
    (): fields_of(Briefing),
    ("sections",): fields_of(Section),
    ("sections", "sources"): fields_of(Source),
}


class StaleSource(LaterMessage):
    """The warning that a source is older than a briefing's update allows, kept as its
    parts: the source itself (whose name every later load shares), its dates, and the
    allowance."""

    __slots__ = ("allowed", "published", "source", "updated")

    def __init__(self, source: Source, published: dt.date, updated: dt.date, allowed: int) -> None:
        self.source, self.published, self.updated = source, published, updated
        self.allowed = allowed

    def __str__(self) -> str:
        age = (self.updated - self.published).days
        return (
            f"source '{self.source.name}' is stale: published {self.published.isoformat()}, "
            f"{age} days before the briefing's update ({self.allowed} allowed)"
        )


def _known_fields(loc: Sequence[int | str]) -> list[str]:
    named = tuple(part for part in loc if isinstance(part, str))
    return list(_FIELDS_AT.get(named, ()))


_KINDS: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    tuple: "a list",
    dict: "a mapping",
    type(None): "nothing (null)",
    dt.date: "a date",
    dt.datetime: "a date and time",
    str: "text",
}


def describe(value: Any) -> str:
    """What kind of value this is, in words ("a list", "text", "nothing (null)")."""
    return _KINDS.get(type(value), type(value).__name__)


def _as_written(value: Any, node: yaml.Node | None) -> str:
    """A value as the admin wrote it (the scalar's text when there is one), quoted."""
    if isinstance(node, ScalarNode):
        return quote_value(node.value)
    return quote_value(value)


# Language names admins write, and the tag they mean.
_LANGUAGE_NAMES = {
    "english": "en",
    "japanese": "ja",
    "日本語": "ja",
    "portuguese": "pt",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "chinese": "zh",
    "korean": "ko",
    "ukrainian": "uk",
    "russian": "ru",
}
# List fields whose items text cannot be split into safely: a line break or a comma may
# sit inside one point. They are refused with the list form instead.
_ITEM_LISTS = {"points", "takeaways", "tags"}
DATE_FORMS = "YYYY-MM-DD or YYYY/MM/DD"
MOMENT_FORM = "YYYY-MM-DDTHH:MM:SS with a time zone, e.g. 2025-03-01T09:00:00+09:00 (Z for UTC)"


def _language_message(value: object) -> str:
    """Why a language is refused, in words, with the tag meant when it is a known name."""
    shown = quote_value(value)
    known = _LANGUAGE_NAMES.get(str(value).strip().lower())
    hint = f"; did you mean '{known}'?" if known else ""
    return f"{shown} is not a BCP 47 language tag: write a tag such as en, ja or pt-BR{hint}"


def _list_form(field: str, text: str) -> str:
    """The refusal of text where a list of items is expected, showing the list form."""
    if field == "tags":
        items = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
        return f"expected a list, found text; write it as a list: [{', '.join(items) or 'news'}]"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "…")
    first = quote_value(f"- {first}")
    return (
        f"expected a list, found text; write each item on its own line under '{field}:', "
        f"starting with '- ', e.g. {first}"
    )


def _message(error: ErrorDetails, node: yaml.Node | None) -> tuple[str, bool]:
    """A readable message for one pydantic error, and whether it points at a key."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    if kind in {"extra_forbidden", "unexpected_keyword_argument"}:  # a model's, a dataclass's
        name = str(loc[-1])
        close = difflib.get_close_matches(name, _known_fields(loc[:-1]), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{name}'{hint}", True
    if kind == "missing":
        return "required field is missing", False
    if kind.startswith(("datetime", "timezone")):
        if isinstance(value, str | dt.date):
            return f"invalid date and time {_as_written(value, node)}: write {MOMENT_FORM}", False
        return f"expected a date and time, {MOMENT_FORM}, found {describe(value)}", False
    if kind.startswith("date"):
        if isinstance(value, str | int | float | dt.date) and not isinstance(value, bool):
            return f"invalid date {_as_written(value, node)}: write it as {DATE_FORMS}", False
        return f"expected a date written as {DATE_FORMS}, found {describe(value)}", False
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "language":
        return _language_message(value), False
    if kind == "string_pattern_mismatch":
        shown = quote_value(value)
        return f"{shown} is not a slug: use lowercase a-z, 0-9 and single dashes", False
    if kind == "string_too_short":
        return "must not be empty", False
    if kind == "string_too_long":
        return f"is too long: at most {error.get('ctx', {}).get('max_length')} characters", False
    if kind == "too_short":
        return "must have at least one item", False
    if kind == "tuple_type" and isinstance(value, str) and loc and loc[-1] in _ITEM_LISTS:
        return _list_form(str(loc[-1]), value), False
    if kind in {"string_type", "tuple_type", "list_type", "model_type", "model_attributes_type"}:
        expected = {
            "string_type": "text",
            "tuple_type": "a list",
            "list_type": "a list",
        }.get(kind, "a mapping of fields")
        message = f"expected {expected}, found {describe(value)}"
        if kind == "string_type" and isinstance(node, ScalarNode) and node.value:
            message += f" {quote_value(node.value)}; put it in quotes to keep it as text"
        return message, False
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        if message.startswith("has no time zone"):
            message = f"{_as_written(value, node)} {message}"
        return message, False
    return str(error["msg"]), False


def _check_section_count(data: dict[str, Any], collector: ProblemCollector) -> None:
    """Refuse more sections than a briefing may have, pointing at the first one too many."""
    sections = data.get("sections")
    if not isinstance(sections, list) or len(sections) <= MAX_SECTIONS:
        return
    collector.add(
        Severity.ERROR,
        ["sections"],
        f"{len(sections):,} sections, over the {MAX_SECTIONS} a briefing may have: split it "
        f"into several briefings (section {MAX_SECTIONS + 1} starts here)",
        position=collector.nodes.locate(["sections", MAX_SECTIONS]),
    )


def validate_briefing(path: Path, data: Any, collector: ProblemCollector) -> Briefing | None:
    """The briefing the data describes, or None with every reason recorded in `collector`."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else describe(data)
        collector.error((), f"a briefing must be a mapping of fields, found {found}")
        return None
    stem = path.stem
    payload = data
    if _SLUG.fullmatch(stem) is None or len(stem) > 64:
        collector.add(
            Severity.ERROR,
            (),
            f"file name '{path.name}' is not a valid id: use lowercase a-z, 0-9 and single "
            "dashes, at most 64 characters",
            position=(1, 1),
        )
        payload = {**data, "id": "x"}  # check everything else all the same
    elif "id" not in data:
        payload = {"id": stem, **data}
    elif data["id"] != stem:
        collector.error(["id"], f"id {quote_value(data['id'])} must equal the file name '{stem}'")
        payload = {**data, "id": stem}
    _check_section_count(data, collector)
    try:
        return Briefing.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # Locations under which some item has an error of its own.
        failed_parents = {
            loc[:end] for loc in (e["loc"] for e in errors) for end in range(1, len(loc))
        }
        for error in errors:
            loc = error["loc"]
            if error["type"] == "too_short" and loc in failed_parents:
                continue  # the list is short only because its items have errors of their own
            if collector.full:
                collector.omit(Severity.ERROR)  # not worth a message nobody will read
                continue
            node = collector.nodes.node_at(loc)
            message, at_key = _message(error, node)
            collector.error(loc, message, key=at_key)
        return None


def _written(collector: ProblemCollector, loc: list[int | str]) -> bool:
    """Whether the file holds a value at `loc` (not only one of its parents)."""
    return collector.nodes.locate(loc) != collector.nodes.locate(loc[:-1])


def _check_window(
    collector: ProblemCollector,
    at: list[int | str],
    publish_at: dt.datetime | None,
    expires_at: dt.datetime | None,
) -> None:
    """Refuse an expiry that is not after the publication: nobody would ever see it."""
    if publish_at is not None and expires_at is not None and expires_at <= publish_at:
        collector.error(
            [*at, "expires_at"],
            f"expires_at {expires_at.isoformat()} is not after publish_at "
            f"{publish_at.isoformat()}: nobody would ever see it",
        )


def check_semantics(briefing: Briefing, collector: ProblemCollector) -> None:
    """Errors the models cannot see: a section id used twice, an expiry before publication."""
    _check_window(collector, [], briefing.publish_at, briefing.expires_at)
    seen: dict[str, int] = {}
    for index, section in enumerate(briefing.sections):
        at: list[int | str] = ["sections", index]
        _check_window(collector, at, section.publish_at, section.expires_at)
        if section.id not in seen:
            seen[section.id] = index
        elif _written(collector, [*at, "id"]):
            collector.error(
                [*at, "id"],
                f"duplicate section id '{section.id}' (first used by sections[{seen[section.id]}])",
            )
        else:
            collector.error(
                at,
                f"this section has no id, and the one its position gives, '{section.id}', is "
                f"already used by sections[{seen[section.id]}]: give this section an id",
            )


def check_warnings(briefing: Briefing, collector: ProblemCollector, stale_after_days: int) -> None:
    """Warn about stale sources, undated sections and text Discord cannot show whole.

    The limits follow where the bot shows each text: the title and each numbered
    section heading are embed titles (shortened), the summary and each section's
    question, answer and lead are embed descriptions, and every other text is an embed
    field value (split over several fields).
    """

    def too_long(loc: list[int | str], length: int, limit: int, place: str) -> None:
        collector.warning(
            loc,
            f"{length:,} characters, over the {limit:,} Discord allows in {place}; "
            "the bot will have to shorten or split it",
        )

    def check_items(at: list[int | str], name: str, items: tuple[str, ...]) -> None:
        # One C-level pass finds whether any item is too long; most never are.
        if items and max(map(len, items)) > FIELD_VALUE_LIMIT:
            for index, text in enumerate(items):
                if len(text) > FIELD_VALUE_LIMIT:
                    too_long([*at, name, index], len(text), FIELD_VALUE_LIMIT, "a field value")

    if len(briefing.title) > EMBED_TITLE_LIMIT:
        too_long(["title"], len(briefing.title), EMBED_TITLE_LIMIT, "an embed title")
    intro = len(briefing.summary) + (len(briefing.subtitle) + 5 if briefing.subtitle else 0)
    if intro > DESCRIPTION_LIMIT:  # shown as "**subtitle**\nsummary"
        too_long(["summary"], intro, DESCRIPTION_LIMIT, "an embed description")
    check_items([], "takeaways", briefing.takeaways)
    if briefing.closing and len(briefing.closing) > FIELD_VALUE_LIMIT:
        too_long(["closing"], len(briefing.closing), FIELD_VALUE_LIMIT, "a field value")
    for s_index, section in enumerate(briefing.sections):
        at: list[int | str] = ["sections", s_index]
        if section.published is None:
            anchor = [*at, "id"] if _written(collector, [*at, "id"]) else [*at, "heading"]
            collector.warning(anchor, "section has no published date")
        numbered = len(section.heading) + len(str(s_index + 1)) + 2  # shown as "2. heading"
        if numbered > EMBED_TITLE_LIMIT:
            too_long([*at, "heading"], numbered, EMBED_TITLE_LIMIT, "a numbered section title")
        head = [t for t in (section.question, section.answer, section.lead) if t]
        head_length = sum(map(len, head)) + len(head) - 1  # joined by line breaks
        if head_length > DESCRIPTION_LIMIT:
            first = "question" if section.question else "answer"
            too_long([*at, first], head_length, DESCRIPTION_LIMIT, "an embed description")
        if len(section.answer) > FIELD_VALUE_LIMIT:
            too_long([*at, "answer"], len(section.answer), FIELD_VALUE_LIMIT, "a field value")
        if section.commentary and len(section.commentary) > FIELD_VALUE_LIMIT:
            length = len(section.commentary)
            too_long([*at, "commentary"], length, FIELD_VALUE_LIMIT, "a field value")
        check_items(at, "points", section.points)
        check_items(at, "body", section.body)
        check_items(at, "reactions", section.reactions)
        for src_index, source in enumerate(section.sources):
            if source.url is None and source.publisher is None:
                collector.warning(
                    [*at, "sources", src_index, "name"],
                    f"source '{source.name}' has neither a url nor a publisher: readers "
                    "cannot tell where it comes from; add one of them",
                )
            published = section.source_date(source)
            if published is not None and briefing.is_stale(section, source, stale_after_days):
                loc: list[int | str] = [*at, "sources", src_index]
                loc.append("published" if source.published else "url" if source.url else "name")
                stale = StaleSource(source, published, briefing.updated, stale_after_days)
                collector.warning(loc, stale)
