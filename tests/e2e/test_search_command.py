"""`/briefing search` end to end through simcord: grouped results, every match in bold,
where each match is, and suggestions when nothing matches."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot

from .briefing_world import SEED_ID, SEED_TITLE, World, fields, response, values

RECORD_HEAT = """\
title: Record heat
summary: Cities broke temperature records for a third week.
language: en
tags: [heatwave, climate]
aliases: [heat]
updated: 2026-07-01
sections:
  - id: cooling
    heading: Keeping homes cool
    answer: AC units sold out; grids held.
    body:
      - Peace of mind came from grid operators who planned for the peak.
  - id: outlook
    heading: What comes next
    answer: More hot days are forecast, and the heat lingers at night.
"""


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    (settings.briefings_dir / "record-heat.yaml").write_text(RECORD_HEAT, encoding="utf-8")
    return create_bot(settings)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


async def search(world: World, query: str) -> list[tuple[str, str]]:
    reply = response(await world.slash("search", query=query))
    [embed] = reply.embeds
    assert embed.title == f"Search: {query}"
    return fields(embed)


@pytest.mark.parametrize(
    ("query", "line"),
    [
        pytest.param("G7", "Summary: …", id="summary"),
        pytest.param("トランプ", "Summary: …", id="summary-katakana"),
        pytest.param("ukraine", "Id and aliases: **ukraine**-ceasefire · **ukraine**", id="alias"),
    ],
)
async def test_the_seed_is_found_by_what_its_overview_says(
    world: World, query: str, line: str
) -> None:
    [(name, value)] = await search(world, query)
    assert name == SEED_TITLE
    first, command = value.split("\n")
    assert first.startswith(line)
    assert f"**{query}**" in first
    assert command == f"`/briefing show topic:{SEED_ID}`"


async def test_a_source_name_finds_the_section_and_says_where(world: World) -> None:
    assert await search(world, "時事") == [
        (SEED_TITLE, f"`/briefing show topic:{SEED_ID}`"),
        (
            "› 1. 米露間の交渉の可能性 · Sources",
            "**時事**ドットコム \\(**時事**通信社\\)\n"
            f"`/briefing section topic:{SEED_ID} section:us-russia-talks`",
        ),
    ]


async def test_hits_are_grouped_under_their_briefing_title_once(world: World) -> None:
    found = await search(world, "停戦")
    assert [name for name, _ in found] == [
        SEED_TITLE,
        "› 1. 米露間の交渉の可能性 · Question",
        "› 3. ウクライナ国内の現状と今後の展望 · Key points",
    ]
    assert sum(SEED_TITLE in name for name, _ in found) == 1
    assert found[0][1].startswith("Title: ウクライナ**停戦**協議?")
    assert found[1][1] == (
        "米露関係、**停戦**協議は進展する?プーチン大統領の動きに注目!\n"
        f"`/briefing section topic:{SEED_ID} section:us-russia-talks`"
    )


async def test_heat_finds_record_heat_by_title_and_tag_and_not_inside_words(
    world: World,
) -> None:
    found = await search(world, "heat")
    assert found[0] == (
        "Record heat",
        "Title: Record **heat**\n`/briefing show topic:record-heat`",
    )
    assert found[1] == (
        "› 2. What comes next · Answer",
        "More hot days are forecast, and the **heat** lingers at night.\n"
        "`/briefing section topic:record-heat section:outlook`",
    )
    assert len(found) == 2


async def test_a_short_ascii_query_matches_word_starts_only(world: World) -> None:
    found = await search(world, "AC")
    # "AC units" matches; "Peace" and "grace" in the same briefing do not.
    assert [name for name, _ in found] == ["Record heat", "› 1. Keeping homes cool · Answer"]
    assert found[1][1].startswith("**AC** units sold out; grids held.")


async def test_every_term_is_in_bold_in_the_excerpt(world: World) -> None:
    found = await search(world, "hot night")
    assert found[1][1].startswith(
        "More **hot** days are forecast, and the heat lingers at **night**."
    )


async def test_no_results_suggests_a_spelling_fix_and_the_closest_topics(world: World) -> None:
    reply = response(await world.slash("search", query="heatwaev"))
    [embed] = reply.embeds
    assert embed.fields == []
    assert embed.description == (
        "Nothing matches “heatwaev”.\n"
        "Did you mean “heatwave”? Search for it with `/briefing search query:heatwave`.\n"
        "Closest topics: Record heat (`record-heat`)"
    )
    assert "fewer or shorter" not in embed.description


async def test_no_results_without_anything_close_points_at_the_list(world: World) -> None:
    reply = response(await world.slash("search", query="zebra"))
    assert reply.embeds[0].description == (
        "Nothing matches “zebra”.\nSee every topic with `/briefing list`."
    )


async def test_no_results_in_japanese(
    world: World, interaction_locale: Callable[[str], None]
) -> None:
    interaction_locale("ja")
    reply = response(await world.slash("search", query="ukrane"))
    assert reply.embeds[0].description == (
        "「ukrane」に一致するものはありません。\n"
        "もしかして「ukraine」? `/briefing search query:ukraine` で検索できます。\n"
        f"近いトピック: {SEED_TITLE} (`{SEED_ID}`)"
    )


async def test_search_answers_privately_when_asked(world: World) -> None:
    public = response(await world.slash("search", query="停戦"))
    private = response(await world.slash("search", query="停戦", private=True))
    assert not public.ephemeral
    assert private.ephemeral
    assert values(private.embeds[0]) == values(public.embeds[0])


async def test_several_words_must_all_be_found(world: World) -> None:
    found = await search(world, "プーチン クルスク")
    assert [name for name, _ in found] == [
        SEED_TITLE,
        "› 3. ウクライナ国内の現状と今後の展望 · Key points",
    ]
    assert "**プーチン**大統領は**クルスク**州を訪問し" in found[1][1]
