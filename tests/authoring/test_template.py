"""Tests for bot.authoring.template: `briefbot new` writes every field, and it loads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from bot.authoring.template import briefing_template
from bot.briefings.loader import load_file
from bot.briefings.models import Briefing, PartKind, Section, Source, fields_of

DAY = dt.date(2025, 10, 20)


def written(tmp_path: Path, topic_id: str = "harbour-ferry") -> Path:
    path = tmp_path / f"{topic_id}.yaml"
    path.write_text(briefing_template(topic_id, today=DAY), encoding="utf-8")
    return path


def field_names(model: PartKind) -> set[str]:
    return set(fields_of(model))


def test_the_template_loads_without_errors_or_warnings(tmp_path: Path) -> None:
    result = load_file(written(tmp_path))

    assert result.errors == ()
    assert result.warnings == ()
    assert result.briefing is not None
    assert result.briefing.id == "harbour-ferry"
    assert result.briefing.updated == DAY


def test_the_template_has_every_field_of_every_model(tmp_path: Path) -> None:
    data = yaml.safe_load(written(tmp_path).read_text(encoding="utf-8"))

    # `id` is left to the file name, as the format documents; it is shown as a comment.
    assert set(data) == field_names(Briefing) - {"id"}
    section = data["sections"][0]
    assert set(section) == field_names(Section)
    assert set(section["sources"][0]) == field_names(Source)


def test_the_top_level_id_is_shown_as_a_comment(tmp_path: Path) -> None:
    text = written(tmp_path, "island-bus").read_text(encoding="utf-8")

    assert "\n# id: island-bus  (optional: the file name supplies it" in text
    assert text.startswith("# yaml-language-server: $schema=briefing.schema.json\n")


def required_fields(model: PartKind) -> set[str]:
    return {name for name, info in fields_of(model).items() if info.is_required()}


def test_every_field_has_a_comment_above_it_saying_whether_it_is_required() -> None:
    lines = briefing_template("harbour-ferry", today=DAY).splitlines()
    key = re.compile(r"^\s*(?:- )?([a-z]+):")

    first_comment: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        match = key.match(line)
        if match is None:
            continue
        above = index
        while lines[above - 1].lstrip().startswith("#"):
            above -= 1
        assert above < index, f"{match[1]} has no comment above it"
        first_comment.setdefault(match[1], []).append(lines[above].strip())

    marked_required = {
        name
        for name, comments in first_comment.items()
        if all(c.startswith("# Required.") for c in comments)
    }
    assert marked_required == (required_fields(Briefing) - {"id"}) | required_fields(
        Section
    ) | required_fields(Source)
    others = set(first_comment) - marked_required
    assert all("optional" in comment.lower() for name in others for comment in first_comment[name])


def test_the_template_is_dated_today_by_default() -> None:
    today = dt.datetime.now().astimezone().date()

    data = yaml.safe_load(briefing_template("harbour-ferry"))

    assert data["updated"] == today
