"""The commented template `briefbot new ID` writes: every field once, each explained.

The comment above each field is its description in `bot.briefings.models`, so the
template says what the models say. The placeholders are valid values: the template
loads as it is, and `briefbot validate` shows what still needs a real value only once
the admin starts editing.
"""

from __future__ import annotations

import datetime as dt

from bot.authoring.yaml_writer import Block, Entry, Value, render_yaml
from bot.briefings.loader import SCHEMA_COMMENT
from bot.briefings.models import Briefing, PartKind, Section, Source, fields_of

_DATE_HINT = "Written YYYY-MM-DD."
_HINTS: dict[tuple[PartKind, str], str] = {
    (Briefing, "summary"): "Shown under the title; `>-` joins its lines into one paragraph.",
    (Briefing, "language"): "For example en, ja or pt-BR; labels follow it. Default en.",
    (Briefing, "tags"): "A list: [ferry, harbour] or one `- tag` per line.",
    (Briefing, "aliases"): "Each lowercase a-z, 0-9 and single dashes, e.g. [ferry].",
    (Briefing, "updated"): _DATE_HINT + " Sources are judged stale relative to it.",
    (Briefing, "sections"): "At least one. Copy a whole `- id:` block to add another.",
    (Section, "id"): (
        "Lowercase a-z, 0-9 and single dashes. Keep it when sections move,"
        " so that links and digest history stay stable."
    ),
    (Section, "published"): _DATE_HINT + " Also the date of sources that give none.",
    (Section, "commentary"): "`|-` keeps each line break.",
    (Source, "url"): "An absolute http:// or https:// address.",
    (Source, "published"): _DATE_HINT,
    (Briefing, "publish_at"): "A date and time with its zone. Delete it to publish at once.",
    (Briefing, "expires_at"): "A date and time with its zone. Delete it to keep it for good.",
    (Section, "publish_at"): "Like the briefing's, for this section alone.",
    (Section, "expires_at"): "Like the briefing's, for this section alone.",
}


def _about(model: PartKind, name: str) -> tuple[str, ...]:
    """The comment lines above a field: required or optional, the model's description, a hint."""
    info = fields_of(model)[name]
    description = info.description or ""
    if info.is_required():
        lines = [f"Required. {description}"]
    elif "optional" in description.lower():
        lines = [description]
    else:
        lines = [f"Optional. {description}"]
    hint = _HINTS.get((model, name))
    if hint:
        lines.append(hint)
    return tuple(lines)


def _field(
    model: PartKind,
    name: str,
    value: Value,
    *,
    blank_line_before: bool = False,
    flow: bool = False,
) -> Entry:
    comment = _about(model, name)
    return Entry(name, value, comment=comment, blank_line_before=blank_line_before, flow=flow)


def briefing_template(topic_id: str, *, today: dt.date | None = None) -> str:
    """A commented YAML template for `<topic_id>.yaml` with every field, dated `today`."""
    day = today or dt.datetime.now().astimezone().date()
    # Placeholders that keep the template visible: published yesterday, expiring in 10 years.
    published = f"{day - dt.timedelta(days=1)}T00:00:00+00:00"
    expires = f"{day + dt.timedelta(days=3650)}T00:00:00+00:00"
    source = Block(
        (
            _field(Source, "name", "Replace with the source's name as cited"),
            _field(Source, "publisher", "Replace with who publishes it, or delete this line"),
            _field(Source, "description", "Replace with how the source describes itself"),
            _field(Source, "url", "https://example.com/replace-with-the-article"),
            _field(Source, "published", day),
        )
    )
    section = Block(
        (
            _field(Section, "id", "first-section"),
            _field(Section, "heading", "Replace with the section heading"),
            _field(Section, "question", "Replace with the question this section answers?"),
            _field(Section, "answer", "Replace with the one-line answer."),
            _field(Section, "lead", "Replace with a lead sentence, or delete this line."),
            _field(Section, "published", day),
            _field(Section, "publish_at", published),
            _field(Section, "expires_at", expires),
            _field(Section, "points", ("Replace with a key point.", "Another, or delete it.")),
            _field(Section, "sources", (source,)),
            _field(
                Section,
                "commentary",
                "Replace with your commentary.\nThis second line stays a line of its own.",
            ),
            _field(
                Section,
                "body",
                ("Replace with the first body paragraph.", "A second paragraph, or delete it."),
            ),
            _field(Section, "reactions", ("Replace with a reader reaction, or delete it.",)),
        )
    )
    entries = [
        _field(Briefing, "title", "Replace with the briefing's title", blank_line_before=True),
        _field(Briefing, "subtitle", "Replace with a subtitle, or delete this line"),
        _field(
            Briefing,
            "summary",
            "Replace with the lead paragraph: what happened and why it matters, in two or"
            " three sentences. Readers see it first, under the title.",
        ),
        _field(Briefing, "language", "en"),
        _field(Briefing, "tags", ("replace", "with", "tags"), flow=True),
        _field(Briefing, "aliases", (), flow=True),
        _field(Briefing, "updated", day),
        _field(Briefing, "publish_at", published),
        _field(Briefing, "expires_at", expires),
        _field(Briefing, "sections", (section,), blank_line_before=True),
        _field(
            Briefing,
            "takeaways",
            ("Replace with a closing takeaway, or delete it.",),
            blank_line_before=True,
        ),
        _field(Briefing, "closing", "Replace with a closing paragraph, or delete this line."),
    ]
    header = [
        SCHEMA_COMMENT.removeprefix("# "),
        f"A new briefing, written by `briefbot new {topic_id}`. Replace every placeholder,",
        "delete the optional fields you do not need, then run `briefbot validate`.",
        "docs/briefing-format.md explains every field. A running bot serves this file",
        "from its briefings folder as soon as it is saved: fill it in before it goes there,",
        f"or name it .{topic_id}.yaml (hidden files are not loaded) until it is ready.",
        "",
        f"id: {topic_id}  (optional: the file name supplies it; if given, it must match)",
    ]
    return render_yaml(entries, header=header)
