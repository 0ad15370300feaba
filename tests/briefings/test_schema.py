"""Tests for bot.briefings.schema: the committed JSON Schema is exactly what the models produce."""

from __future__ import annotations

import json
from pathlib import Path

from bot.briefings.loader import load_file
from bot.briefings.models import Briefing, Section, Source, fields_of
from bot.briefings.schema import SCHEMA_FILE_NAME, briefing_schema, briefing_schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "briefings" / SCHEMA_FILE_NAME


def test_committed_schema_is_what_the_models_produce() -> None:
    # If this fails, run `briefbot schema` and commit briefings/briefing.schema.json.
    assert COMMITTED.read_text(encoding="utf-8") == briefing_schema_text()


def test_schema_text_is_stable_json_with_a_final_newline() -> None:
    text = briefing_schema_text()
    assert text.endswith("}\n")
    assert json.loads(text) == briefing_schema()
    assert briefing_schema_text() == text


def test_schema_names_itself_for_the_yaml_language_server() -> None:
    schema = briefing_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_FILE_NAME


def test_id_is_optional_because_the_file_name_supplies_it() -> None:
    schema = briefing_schema()
    assert "id" in schema["properties"]
    assert sorted(schema["required"]) == ["sections", "summary", "title", "updated"]


def test_a_section_id_is_optional_because_its_position_supplies_one() -> None:
    section = briefing_schema()["$defs"]["Section"]
    assert "id" in section["properties"]
    assert sorted(section["required"]) == ["answer", "heading"]


def test_body_and_reactions_accept_text_and_moments_are_date_times() -> None:
    section = briefing_schema()["$defs"]["Section"]["properties"]
    for name in ("body", "reactions"):
        assert [t["type"] for t in section[name]["anyOf"]] == ["array", "string"], name
    assert section["publish_at"]["anyOf"][0] == {"type": "string", "format": "date-time"}


def test_every_model_field_is_in_the_schema_and_unknown_keys_are_rejected() -> None:
    schema = briefing_schema()
    models = {"Briefing": (schema, Briefing)}
    models.update(
        {
            name: (schema["$defs"][name], model)
            for name, model in [
                ("Section", Section),
                ("Source", Source),
            ]
        }
    )
    for name, (part, model) in models.items():
        assert part["additionalProperties"] is False, name
        assert list(part["properties"]) == list(fields_of(model)), name
        for field, info in part["properties"].items():
            assert info.get("description"), f"{name}.{field} has no description"


def test_dates_urls_and_slugs_are_constrained_for_editors() -> None:
    schema = briefing_schema()
    source = schema["$defs"]["Source"]["properties"]
    assert schema["properties"]["updated"] == {
        "description": Briefing.model_fields["updated"].description,
        "pattern": r"^\d{4}-\d{2}-\d{2}$|^\d{4}/\d{2}/\d{2}$",
        "title": "Updated",
        "type": "string",
    }
    # A source may have no url (a press conference, a printed paper).
    assert [t["type"] for t in source["url"]["anyOf"]] == ["string", "null"]
    assert "url" not in schema["$defs"]["Source"]["required"]
    assert schema["properties"]["id"]["pattern"] == "^[a-z0-9]+(?:-[a-z0-9]+)*$"
    assert schema["properties"]["sections"]["minItems"] == 1


DOCS = ROOT / "docs" / "briefing-format.md"


def test_docs_document_every_model_field() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for heading, model in [
        ("### The briefing (top level)", Briefing),
        ("### A section (each item of `sections`)", Section),
        ("### A source (each item of `sources`)", Source),
    ]:
        table = docs.split(heading, 1)[1].split("\n###", 1)[0]
        rows = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| `")]
        assert rows == [f"`{name}`" for name in fields_of(model)], heading


def test_docs_example_is_a_valid_fictional_briefing(tmp_path: Path) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    example = docs.split("## A small example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example.startswith("# yaml-language-server: $schema=briefing.schema.json\n")
    path = tmp_path / "harbour-ferry.yaml"
    path.write_text(example, encoding="utf-8")

    result = load_file(path)

    assert result.problems == ()
    assert result.briefing is not None
    section = result.briefing.sections[0]
    for name in fields_of(Section):
        assert getattr(section, name), f"the example leaves section.{name} empty"
    for name in fields_of(Source):
        if name != "published":  # the example shows a source dated by its section
            assert getattr(section.sources[0], name), f"the example leaves source.{name} empty"
