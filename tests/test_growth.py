"""Every path whose work grows with its input grows linearly: 8x the input, at most 16x the time.

Sizes go from 1,250 to 10,000: sections of one briefing (built in memory: the loader
refuses more than 250 in a file, but nothing else may depend on that), unknown or
repeated keys of one file, and files of too many sections. See `tests/support/growth.py`
for how the time is measured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.briefings.library import Library
from bot.briefings.loader import load_file
from bot.briefings.presentation import (
    briefing_pages,
    plain_text_preview,
    section_cards,
    sources_cards,
)
from bot.digests.compose import compose_digest, digest_messages
from bot.discord.rendering import section_options
from bot.text.cards import discord_date, iso_date, number_pages, paginate
from tests.support.big_briefings import (
    BIG_ID,
    fresh_big_briefing,
    many_sections_yaml,
    repeated_keys_yaml,
    same_key_yaml,
    unknown_keys_yaml,
)
from tests.support.growth import Work, assert_linear, measure_growth

SECTIONS = 1_250  # and 8x that: 10,000
KEYS = 1_250


def library_of(sections: int) -> Library:
    """A library holding one fresh briefing with this many sections."""
    return Library([fresh_big_briefing(sections)])


# --- The helper itself -----------------------------------------------------------------


def test_the_helper_passes_linear_work_and_fails_quadratic_work() -> None:
    def linear(n: int) -> Work:
        return lambda: sum(value * value for value in range(n * 100))

    def quadratic(n: int) -> Work:
        data = list(range(n))
        return lambda: [data.index(value) for value in data]

    assert_linear(linear, 1_000)
    assert measure_growth(quadratic, 400).ratio > 30
    with pytest.raises(AssertionError, match="grows faster than linear"):
        assert_linear(quadratic, 400)


def test_the_helper_refuses_a_size_too_small_to_measure() -> None:
    with pytest.raises(AssertionError, match="too quick to measure"):
        assert_linear(lambda n: lambda: None, 10)


# --- Reading a briefing of 10,000 sections ----------------------------------------------


def show(sections: int) -> Work:
    """What `/briefing show` does before it replies: every page, and the section menu."""
    library = library_of(sections)

    def run() -> None:
        briefing = library.find_topic(BIG_ID)
        pages = briefing_pages(briefing, library, discord_date)
        menu = [(section.id, section.heading) for section in briefing.sections]
        section_options(menu, pages[-1].section_id, "en")
        assert len(pages) > sections

    return run


def every_section(sections: int) -> Work:
    """`/briefing section` for each section in turn: the cards of one never scan the others."""
    library = library_of(sections)
    briefing = library.find_topic(BIG_ID)
    return lambda: [section_cards(briefing, s, library, discord_date) for s in briefing.sections]


def last_section(sections: int) -> Work:
    """`/briefing section` on the last section, found by its number."""
    library = library_of(sections)

    def run() -> None:
        briefing = library.find_topic(BIG_ID)
        chosen = library.find_section(briefing, str(sections))
        cards = section_cards(briefing, chosen, library, discord_date)
        number_pages(paginate(cards, chosen.id), briefing.language)

    return run


def all_sources(sections: int) -> Work:
    """`/briefing sources` for the whole briefing."""
    library = library_of(sections)

    def run() -> None:
        briefing = library.find_topic(BIG_ID)
        cards = sources_cards(briefing, briefing.sections, library, discord_date)
        number_pages(paginate(cards), briefing.language)

    return run


def preview_all(sections: int) -> Work:
    """`briefbot preview` of the whole briefing."""
    library = library_of(sections)
    return lambda: plain_text_preview(library, BIG_ID, None)


def preview_last(sections: int) -> Work:
    """`briefbot preview` of the last section, by its id."""
    library = library_of(sections)
    return lambda: plain_text_preview(library, BIG_ID, f"part-{sections}")


def digest_of_changes(sections: int) -> Work:
    """A first digest in `changes` mode: every section is new."""
    library = library_of(sections)
    return lambda: digest_messages(
        compose_digest(library, None, "changes", ()), library, "en", discord_date
    )


def full_digest(sections: int) -> Work:
    """A digest in `full` mode: every section's answer."""
    library = library_of(sections)
    return lambda: digest_messages(
        compose_digest(library, [BIG_ID], "full", ()), library, "ja", iso_date
    )


def search_index(sections: int) -> Work:
    """The search index, built as the first search after a reload builds it."""
    library = library_of(sections)
    return library.warm


def searches(sections: int) -> Work:
    """Searches for common and rare words, once the index is built."""
    library = library_of(sections)
    library.warm()
    queries = ["停戦", "協議", "round", "negotiators week", "要点", "zebra", "part-77"]
    return lambda: [library.search(query) for query in queries]


def section_autocomplete(sections: int) -> Work:
    """Section autocomplete on the briefing, its index built by the first keystroke."""
    library = library_of(sections)
    briefing = library.find_topic(BIG_ID)
    typed = ["", "part", "第12", "round 7", "停戦協議", "prat-9"]
    return lambda: [library.complete_sections(briefing, text) for text in typed]


@pytest.mark.parametrize(
    "prepare",
    [
        show,
        every_section,
        last_section,
        all_sources,
        preview_all,
        preview_last,
        digest_of_changes,
        full_digest,
        search_index,
        searches,
        section_autocomplete,
    ],
)
def test_a_briefing_of_10_000_sections_costs_in_proportion(
    prepare: Callable[[int], Work],
) -> None:
    assert_linear(prepare, SECTIONS)


# --- Refusing hostile files ------------------------------------------------------------


@pytest.mark.parametrize(
    "text_of",
    [unknown_keys_yaml, repeated_keys_yaml, same_key_yaml, many_sections_yaml],
    ids=["unknown-keys", "repeated-keys", "one-key-repeated", "too-many-sections"],
)
def test_a_file_of_10_000_bad_keys_or_sections_is_refused_in_proportion(
    tmp_path: Path, text_of: Callable[[int], str]
) -> None:
    files: dict[int, Path] = {}

    def refuse(count: int) -> Work:
        if count not in files:
            files[count] = tmp_path / f"hostile-{count}.yaml"
            files[count].write_text(text_of(count), encoding="utf-8")
        path = files[count]

        def run() -> None:
            result = load_file(path)
            assert result.briefing is None
            assert result.errors

        return run

    assert_linear(refuse, KEYS)


def test_a_valid_file_loads_in_proportion_to_its_sections(tmp_path: Path) -> None:
    def load(count: int) -> Work:
        path = tmp_path / f"sections-{count}.yaml"
        path.write_text(many_sections_yaml(count), encoding="utf-8")
        return lambda: load_file(path).briefing

    assert_linear(load, 30)  # 240 sections: the largest allowed is 250
