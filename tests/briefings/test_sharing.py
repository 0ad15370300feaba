"""Briefings loaded together share repeated strings, dates and field sets, and nothing else
about them changes."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.briefings.loader import load_files
from bot.briefings.models import Briefing


def write(folder: Path, name: str, title: str, body: str) -> None:
    document = {
        "title": title,
        "summary": "Summary.",
        "updated": "2025-01-01",
        "tags": ["ferries", "harbour"],
        "sections": [
            {
                "heading": "Timetable",
                "answer": "Boats run hourly.",
                "published": "2024-12-30",
                "body": [body],
                "sources": [
                    {"name": "Harbour Times", "publisher": "Port Authority", "url": "https://a.b/c"}
                ],
            }
        ],
    }
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")


def test_briefings_loaded_together_share_what_repeats(tmp_path: Path) -> None:
    long_text = "A paragraph long enough that nobody would expect it to repeat anywhere else. " * 2
    write(tmp_path, "one", "One", long_text)
    write(tmp_path, "two", "Two", long_text)
    one, two = load_files([tmp_path]).briefings
    first, second = one.sections[0], two.sections[0]
    assert first.sources[0].name is second.sources[0].name
    assert first.sources[0].publisher is second.sources[0].publisher
    assert first.heading is second.heading
    assert one.tags[0] is two.tags[0]
    assert one.updated is two.updated
    assert first.published is second.published
    assert one.model_fields_set is two.model_fields_set
    assert first.body[0] == second.body[0]  # long texts are left as they are


def test_sharing_changes_no_value_and_copies_stay_apart(tmp_path: Path) -> None:
    write(tmp_path, "one", "One", "Body.")
    write(tmp_path, "two", "Two", "Body.")
    one, two = load_files([tmp_path]).briefings
    data = yaml.safe_load((tmp_path / "one.yaml").read_text(encoding="utf-8"))
    assert one == Briefing.model_validate({"id": "one", **data})
    assert one.model_dump(exclude_unset=True) == Briefing.model_validate(
        {"id": "one", **data}
    ).model_dump(exclude_unset=True)
    changed = one.model_copy(update={"subtitle": "A subtitle."})
    assert "subtitle" in changed.model_fields_set
    assert "subtitle" not in one.model_fields_set
    assert "subtitle" not in two.model_fields_set
