"""The library snapshot: lookups, suggestions, autocomplete, search, staleness, no discord."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.briefings.library import MAX_SUGGESTIONS, Library, load_library
from bot.briefings.models import Briefing
from bot.errors import SectionNotFound, TopicNotFound

REPO_ROOT = Path(__file__).resolve().parents[2]
CORE_MODULES = (
    "bot.briefings.models",
    "bot.briefings.loader",
    "bot.briefings.library",
    "bot.briefings.search",
    "bot.briefings.matching",
    "bot.briefings.presentation",
    "bot.text.split",
    "bot.text.i18n",
    "bot.digests.schedule",
    "bot.briefings.reload",
    "bot.digests.compose",
)


def make(briefing_id: str, **fields: Any) -> Briefing:
    data: dict[str, Any] = {
        "id": briefing_id,
        "title": f"Title of {briefing_id}",
        "summary": "Summary.",
        "updated": "2025-03-14",
        "sections": [
            {"id": "first", "heading": "First things", "answer": "One."},
            {"id": "second", "heading": "Second thoughts", "answer": "Two."},
        ],
    }
    data.update(fields)
    return Briefing.model_validate(data)


@pytest.fixture(scope="module")
def seeded() -> Library:
    library, result = load_library([REPO_ROOT / "briefings"])
    assert not result.errors
    return library


def test_core_modules_import_nothing_from_discord() -> None:
    code = (
        f"import {', '.join(CORE_MODULES)}; import sys; "
        "leaked = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.')); "
        "assert not leaked, leaked"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_the_seed_loads(seeded: Library) -> None:
    assert len(seeded) == 1
    assert seeded.section_count == 3
    briefing = seeded.briefings["ukraine-ceasefire"]
    assert [b.id for b in seeded] == ["ukraine-ceasefire"]
    assert briefing.language == "ja"


@pytest.mark.parametrize(
    "name", ["ukraine-ceasefire", "ukraine", "UKRAINE", "ｕｋｒａｉｎｅ", " ukraine "]
)
def test_topics_by_id_or_alias_any_case_or_width(seeded: Library, name: str) -> None:
    assert seeded.find_topic(name).id == "ukraine-ceasefire"


def test_topics_by_exact_title_but_ids_and_aliases_win() -> None:
    library = Library([make("alpha", title="Beta"), make("beta", title="Gamma")])
    assert library.find_topic("ｇａｍｍａ").id == "beta"
    assert library.find_topic("beta").id == "beta"  # the id beats alpha's title


def test_unknown_topic_suggests_at_most_three() -> None:
    library = Library([make(f"ukraine-{i}") for i in range(6)])
    with pytest.raises(TopicNotFound) as caught:
        library.find_topic("ukrane")
    assert caught.value.params["value"] == "ukrane"
    suggestions = caught.value.params["suggestions"]
    assert 1 <= len(suggestions) <= MAX_SUGGESTIONS
    assert all(s.startswith("ukraine-") for s in suggestions)
    with pytest.raises(TopicNotFound) as empty:
        library.find_topic("")
    assert empty.value.params["suggestions"] == []


@pytest.mark.parametrize(
    ("name", "section_id"),
    [
        ("us-russia-talks", "us-russia-talks"),
        ("2", "summit-prospects"),
        ("米ロ首脳会談の可能性", "summit-prospects"),
        ("ＵＳ-ＲＵＳＳＩＡ-ＴＡＬＫＳ", "us-russia-talks"),
    ],
)
def test_sections_by_id_number_or_heading(seeded: Library, name: str, section_id: str) -> None:
    briefing = seeded.find_topic("ukraine")
    assert seeded.find_section(briefing, name).id == section_id


def test_unknown_section_names_the_topic_and_suggests(seeded: Library) -> None:
    briefing = seeded.find_topic("ukraine")
    with pytest.raises(SectionNotFound) as caught:
        seeded.find_section(briefing, "summit")
    params = caught.value.params
    assert params["topic"] == "ukraine-ceasefire"
    assert params["value"] == "summit"
    assert params["suggestions"][0] == "summit-prospects"
    assert len(params["suggestions"]) <= MAX_SUGGESTIONS
    with pytest.raises(SectionNotFound):
        seeded.find_section(briefing, "4")


def test_complete_topics_by_title_tag_and_typo(seeded: Library) -> None:
    assert [b.id for b in seeded.complete_topics("首脳会談")] == ["ukraine-ceasefire"]
    assert [b.id for b in seeded.complete_topics("停戦")] == ["ukraine-ceasefire"]
    assert [b.id for b in seeded.complete_topics("ukrane")] == ["ukraine-ceasefire"]
    assert seeded.complete_topics("qqqqzzzz") == []


def test_complete_topics_lists_everything_sorted_for_an_empty_query() -> None:
    library = Library([make(f"t{i:02d}") for i in reversed(range(30))])
    assert [b.id for b in library.complete_topics("", 25)] == [f"t{i:02d}" for i in range(25)]


def test_complete_sections(seeded: Library) -> None:
    briefing = seeded.find_topic("ukraine")
    assert [s.id for s in seeded.complete_sections(briefing, "")] == [
        "us-russia-talks",
        "summit-prospects",
        "situation-in-ukraine",
    ]
    assert seeded.complete_sections(briefing, "首脳")[0].id == "summit-prospects"
    assert seeded.complete_sections(briefing, "situation")[0].id == "situation-in-ukraine"


def test_search_goes_through_the_library(seeded: Library) -> None:
    hits = seeded.search("停戦")
    assert hits
    assert {h.briefing_id for h in hits} == {"ukraine-ceasefire"}


def test_staleness_follows_the_threshold(seeded: Library) -> None:
    briefing = seeded.find_topic("ukraine")
    summit = seeded.find_section(briefing, "summit-prospects")
    talks = seeded.find_section(briefing, "us-russia-talks")
    assert seeded.is_stale(briefing, summit, summit.sources[0])  # 2022-01-04 vs 2025-03-14
    assert not seeded.is_stale(briefing, talks, talks.sources[0])
    lenient = Library([briefing], stale_after_days=5000)
    assert not lenient.is_stale(briefing, summit, summit.sources[0])


def test_undated_sources_are_never_stale(seeded: Library) -> None:
    briefing = seeded.find_topic("ukraine")
    situation = seeded.find_section(briefing, "situation-in-ukraine")
    assert situation.published is None
    assert not seeded.is_stale(briefing, situation, situation.sources[0])


def test_a_library_is_a_sorted_snapshot() -> None:
    library = Library([make("b"), make("a")], loaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert list(library.briefings) == ["a", "b"]
    assert library.loaded_at.year == 2026
    with pytest.raises(TypeError):
        library.briefings["c"] = make("c")  # type: ignore[index]
