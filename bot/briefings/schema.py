"""The JSON Schema of briefing files, generated from the models for editors to use."""

from __future__ import annotations

import json
from typing import Any

from bot.briefings.models import Briefing

SCHEMA_FILE_NAME = "briefing.schema.json"


def briefing_schema() -> dict[str, Any]:
    """The JSON Schema of one briefing file, as editors validate it."""
    schema = Briefing.model_json_schema(mode="validation")
    # The loader fills `id` from the file name, so a file may leave it out.
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    # A section's id defaults to its position (s1, s2, …).
    section = schema["$defs"]["Section"]
    section["required"] = [name for name in section.get("required", []) if name != "id"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_FILE_NAME,
        **schema,
    }


def briefing_schema_text() -> str:
    """The schema as the committed file's text: stable key order, UTF-8, final newline."""
    return json.dumps(briefing_schema(), indent=2, ensure_ascii=False) + "\n"
