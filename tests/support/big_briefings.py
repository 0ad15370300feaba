"""Briefings with many sections, and hostile briefing files, built in memory or in a folder.

Sections mix Japanese and English, markdown characters, dated and undated sources (some
stale), so every layout path runs. Nothing is stored in the repository: big briefings
are validated once per size and copied fresh for each timed run, and hostile files are
written to a test's temporary folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from typing import Any

import yaml

from bot.briefings.models import Briefing

BIG_ID = "big-briefing"
UPDATED = dt.date(2026, 1, 10)
VALID_HEAD = """\
title: Harbour ferry timetable
summary: The ferry company changes its winter timetable.
updated: 2025-03-01
sections:
  - id: overview
    heading: What changes
    answer: Fewer evening crossings.
    published: 2025-02-20
"""


def section_data(number: int) -> dict[str, Any]:
    """One section's plain data; every number gives a different section."""
    published = UPDATED - dt.timedelta(days=number % 400)
    return {
        "id": f"part-{number}",
        "heading": f"第{number}節: 停戦協議の行方 (round {number})",
        "question": f"What happens after round {number}? 交渉は続くのか?",
        "answer": f"協議は継続、round {number} ends *without* a deal.",
        "lead": f"Negotiators meet again next week; 関係者によると第{number}回の協議は難航した。",
        "published": published if number % 5 else None,
        "points": [
            f"Both sides restated their positions in round {number}.",
            f"要点{number}: 物流網の再編と港湾の整備について協議を続けている。",
        ],
        "sources": [
            {
                "name": f"Example News {number}",
                "publisher": "Example News Agency",
                "url": f"https://news.example/articles/{number}",
            },
            {
                "name": "時事ドットコム",
                "description": "The agency's own [summary] page.",
                "url": f"https://jiji.example/{number}",
                "published": published - dt.timedelta(days=500),
            },
        ],
        "commentary": f"Round {number} shows how far apart they are.\n一方で、進展もあった。",
        "body": [
            f"Paragraph one of section {number}. " * 3,
            f"第{number}節の本文。政府は新たな支援策について協議を続けている。" * 2,
        ],
        "reactions": [f"今後の展開から目が離せないですね ({number})"],
    }


def briefing_data(sections: int) -> dict[str, Any]:
    """A whole briefing's plain data with `sections` sections (without `id`)."""
    return {
        "title": "ウクライナ停戦協議: a briefing with very many sections",
        "subtitle": "Every round of talks",
        "summary": "A long-running briefing, one section per round of talks.",
        "language": "ja",
        "tags": ["停戦", "ceasefire"],
        "aliases": ["big"],
        "updated": UPDATED,
        "sections": [section_data(number) for number in range(1, sections + 1)],
        "takeaways": ["Talks go on.", "協議は続く。"],
        "closing": "More rounds are planned.",
    }


@lru_cache(maxsize=4)
def big_briefing(sections: int) -> Briefing:
    """A validated briefing with this many sections (shared: copy it before timing)."""
    return Briefing.model_validate({"id": BIG_ID, **briefing_data(sections)})


def fresh_copy(briefing: Briefing) -> Briefing:
    """An equal briefing whose briefing and section objects carry no cached values."""
    sections = tuple(dataclasses.replace(s) for s in briefing.sections)
    fields = {name: getattr(briefing, name) for name in Briefing.model_fields}
    return Briefing.model_construct(**{**fields, "sections": sections})


def fresh_big_briefing(sections: int) -> Briefing:
    """A briefing with this many sections and no cached values, ready to be timed."""
    return fresh_copy(big_briefing(sections))


def briefing_yaml(sections: int) -> str:
    """The YAML file of a briefing with this many sections."""
    return yaml.safe_dump(briefing_data(sections), allow_unicode=True, sort_keys=False)


def unknown_keys_yaml(count: int) -> str:
    """A valid briefing followed by `count` top-level keys no briefing has."""
    return VALID_HEAD + "".join(f"unknown-key-{index}: some value\n" for index in range(count))


def repeated_keys_yaml(count: int) -> str:
    """A valid briefing whose first section then sets `count` different keys twice each."""
    keys = [f"    note-{index}: first\n" for index in range(count)]
    again = [f"    note-{index}: second\n" for index in range(count)]
    return VALID_HEAD + "".join(keys) + "".join(again)


def same_key_yaml(count: int) -> str:
    """A valid briefing whose first section then sets its heading `count` more times."""
    return VALID_HEAD + "".join(f"    heading: Heading {index}\n" for index in range(count))


def many_sections_yaml(count: int) -> str:
    """A briefing of `count` small sections (10,000 of them fit well within 1 MiB)."""
    sections = "".join(
        f"  - id: part-{number}\n    heading: Round {number}\n    answer: Talks go on.\n"
        for number in range(1, count + 1)
    )
    return VALID_HEAD.split("sections:\n")[0] + "sections:\n" + sections
