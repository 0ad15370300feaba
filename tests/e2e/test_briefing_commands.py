"""`/briefing` end to end through simcord: every command, autocomplete, errors, localization."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import simcord

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from bot.errors import SectionNotFound, TopicNotFound

from .briefing_world import (
    SEED_ID,
    SEED_TITLE,
    World,
    component,
    embed_text,
    fields,
    message_text,
    names,
    response,
    values,
)

LONG_TITLE = "A very long title about harbour logistics " * 4


def generated(index: int) -> str:
    return f"""\
title: "{LONG_TITLE.strip()} number {index}"
summary: Generated briefing {index}.
language: en
tags: [harbour]
aliases: [harbour{index}]
updated: 2026-01-{1 + index % 28:02d}
sections:
  - id: only
    heading: The only section of {index}
    answer: Nothing to see in {index}.
"""


MANY = {f"harbour-{i:02d}.yaml": generated(i) for i in range(30)}


@pytest.fixture
def extra_files() -> dict[str, str]:
    """Briefing files written next to the seed before the bot starts (none by default)."""
    return {}


@pytest.fixture
def simcord_bot(settings: Settings, extra_files: dict[str, str]) -> BriefBot:
    for name, text in extra_files.items():
        (settings.briefings_dir / name).write_text(text, encoding="utf-8")
    return create_bot(settings)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


# --- list -------------------------------------------------------------------------


async def test_list_shows_every_topic_with_date_and_section_count(world: World) -> None:
    reply = response(await world.slash("list"))
    [embed] = reply.embeds
    assert embed.title == "Briefings"
    [field] = embed.fields
    assert field.name == SEED_TITLE
    assert field.value == f"`{SEED_ID}` · Updated <t:1741953600:D> · 3 sections"
    assert reply.components == []
    assert not reply.ephemeral


@pytest.mark.parametrize("extra_files", [MANY], ids=["31-topics"])
async def test_a_long_list_is_paginated(world: World) -> None:
    reply = response(await world.slash("list"))
    seen = []
    for page in range(1, 5):
        [embed] = reply.embeds
        assert embed.footer.text == f"Page {page}/4"
        seen += values(embed)
        if page < 4:
            await world.reader.click(reply, custom_id="pages:next")
    ids = [value.split("`")[1] for value in seen]
    assert ids == sorted([SEED_ID, *(f"harbour-{i:02d}" for i in range(30))])
    assert component(reply, "pages:next")["disabled"]


# --- show -------------------------------------------------------------------------


async def test_show_gives_the_overview_with_buttons_and_a_section_menu(world: World) -> None:
    reply = response(await world.slash("show", topic=SEED_ID))
    [embed] = reply.embeds
    assert embed.title == SEED_TITLE
    assert embed.description is not None
    assert embed.description.startswith(
        "**米ロ停戦交渉の行方とウクライナ情勢**\nウクライナ情勢緊迫!"
    )
    assert names(embed) == [
        "1. 米露間の交渉の可能性",
        "2. 米ロ首脳会談の可能性",
        "3. ウクライナ国内の現状と今後の展望",
        "まとめ",
        "むすび",
        "更新",
        "セクション",
    ]
    assert embed.fields[0].value == "米露間の接触は活発化、プーチン大統領が立場説明へ。"
    assert embed.fields[5].value == "<t:1741953600:D>"
    assert embed.footer.text == "1/4ページ"
    previous, following = component(reply, "pages:previous"), component(reply, "pages:next")
    assert (previous["label"], previous["disabled"]) == ("前へ", True)
    assert (following["label"], following["disabled"]) == ("次へ", False)
    menu = component(reply, "pages:jump")
    assert [option["value"] for option in menu["options"]] == [
        "#overview",
        "us-russia-talks",
        "summit-prospects",
        "situation-in-ukraine",
    ]
    assert menu["options"][0]["label"] == "概要"


async def test_show_accepts_alias_title_case_and_width(world: World) -> None:
    for typed in ("ukraine", "ＵＫＲＡＩＮＥ", SEED_TITLE, SEED_TITLE.replace("?", "?")):
        reply = response(await world.slash("show", topic=typed))
        assert reply.embeds[0].title == SEED_TITLE, typed


async def test_next_previous_and_the_menu_turn_the_pages(world: World) -> None:
    reply = response(await world.slash("show", topic="ukraine"))
    await world.reader.click(reply, custom_id="pages:next")
    assert reply.embeds[0].title == "1. 米露間の交渉の可能性"
    assert reply.embeds[0].footer.text == "2/4ページ"
    assert not component(reply, "pages:previous")["disabled"]
    await world.reader.click(reply, label="次へ")
    assert reply.embeds[0].title == "2. 米ロ首脳会談の可能性"
    await world.reader.click(reply, label="前へ")
    assert reply.embeds[0].title == "1. 米露間の交渉の可能性"
    await world.reader.select(reply, ["situation-in-ukraine"], custom_id="pages:jump")
    assert reply.embeds[0].title == "3. ウクライナ国内の現状と今後の展望"
    assert component(reply, "pages:next")["disabled"]
    defaults = [o["value"] for o in component(reply, "pages:jump")["options"] if o.get("default")]
    assert defaults == ["situation-in-ukraine"]
    await world.reader.select(reply, ["#overview"], custom_id="pages:jump")
    assert reply.embeds[0].title == SEED_TITLE
    assert component(reply, "pages:previous")["disabled"]


# --- section ----------------------------------------------------------------------


async def test_section_shows_question_answer_points_date_commentary_body_sources(
    world: World,
) -> None:
    reply = response(await world.slash("section", topic="ukraine", section="2"))
    [embed] = reply.embeds
    assert embed.title == "2. 米ロ首脳会談の可能性"
    assert embed.description == (
        "> 米ロ首脳会談、何が話し合われる?\n**NATO拡大阻止、イランなど戦略的安定。**\n"
        "米ロ首脳会談の可能性について、詳細を見ていきましょう。"
    )
    by_name = dict(fields(embed))
    assert by_name["要点"].startswith("✅ バイデン米大統領とプーチン露大統領が")
    assert by_name["要点"].count("✅") == 3
    assert by_name["公開日"] == "<t:1641297600:D>"
    assert by_name["コメント"].startswith("バイデン大統領とプーチン大統領の会談。")
    assert by_name["詳細"].startswith("さらに、米ロ両国は首脳による電話会談の実施について")
    assert by_name["出典"] == (
        "[ニュースサイト](https://mainichi.jp/articles/20211205/k00/00m/030/026000c)"
        " · <t:1641297600:D> · ⚠️ 古い情報"
    )
    assert reply.components == []


async def test_section_by_id_and_by_heading(world: World) -> None:
    by_id = response(await world.slash("section", topic=SEED_ID, section="us-russia-talks"))
    by_heading = response(
        await world.slash("section", topic="ukraine", section="米露間の交渉の可能性")
    )
    assert by_id.embeds[0].title == by_heading.embeds[0].title == "1. 米露間の交渉の可能性"
    fresh = dict(fields(by_id.embeds[0]))["出典"]
    assert fresh.startswith(
        "[時事ドットコム](https://www.jiji.com/jc/article?k=2025031301087&g=int)"
    )
    assert "古い情報" not in fresh


# --- sources ----------------------------------------------------------------------


async def test_sources_of_a_topic_and_of_one_section(world: World) -> None:
    everything = response(await world.slash("sources", topic="ukraine"))
    [embed] = everything.embeds
    assert embed.title == f"出典: {SEED_TITLE}"
    assert names(embed) == [
        "1. 米露間の交渉の可能性",
        "2. 米ロ首脳会談の可能性",
        "3. ウクライナ国内の現状と今後の展望",
    ]
    listed = values(embed)
    assert "時事通信社が運営するニュースサイト" in listed[0]
    assert "⚠️ 古い情報" in listed[1]
    assert listed[2] == "[東京新聞](https://www.tokyo-np.co.jp/article/391587)"
    one = response(await world.slash("sources", topic="ukraine", section="summit-prospects"))
    assert names(one.embeds[0]) == ["2. 米ロ首脳会談の可能性"]


# --- search: tests/e2e/test_search_command.py -------------------------------------


# --- private ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("list", {}),
        ("show", {"topic": "ukraine"}),
        ("section", {"topic": "ukraine", "section": "1"}),
        ("sources", {"topic": "ukraine"}),
        ("search", {"query": "停戦"}),
    ],
)
async def test_private_answers_are_ephemeral(
    world: World, command: str, options: dict[str, Any]
) -> None:
    public = response(await world.slash(command, **options))
    private = response(await world.slash(command, **options, private=True))
    assert not public.ephemeral
    assert private.ephemeral
    assert [e.to_dict() for e in private.embeds] == [e.to_dict() for e in public.embeds]
    visible = [m.id for m in world.channel.history()]
    assert public.id in visible
    assert private.id not in visible


async def test_the_reader_can_turn_their_private_pages(world: World) -> None:
    reply = response(await world.slash("show", topic="ukraine", private=True))
    await world.reader.click(reply, custom_id="pages:next")
    assert reply.embeds[0].title == "1. 米露間の交渉の可能性"


# --- autocomplete -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["", "ukr", "ukrane", "ＵＫＲＡＩＮＥ", "ukraine", "停戦", "首脳会談", "ウクライナ", "CEASE"],
)
async def test_topic_autocomplete_forgives_typos_width_case_and_finds_tags_titles(
    world: World, typed: str
) -> None:
    for command in ("show", "section", "sources"):
        choices = await world.choices(command, "topic", typed)
        assert choices, (command, typed)
        assert choices[0] == {"name": f"{SEED_TITLE} · {SEED_ID}", "value": SEED_ID}


@pytest.mark.parametrize("extra_files", [MANY], ids=["31-topics"])
async def test_topic_choices_stay_within_discord_limits(world: World) -> None:
    for typed in ("", "a", "harbour", "very long title", "harbour-1", "hrabour"):
        choices = await world.choices("show", "topic", typed)
        assert 0 < len(choices) <= 25, typed
        for choice in choices:
            assert 0 < len(choice["name"]) <= 100
            assert 0 < len(choice["value"]) <= 100
            assert choice["name"].endswith(f" · {choice['value']}")
    exact = await world.choices("show", "topic", "harbour-07")
    assert exact[0]["value"] == "harbour-07"
    alias = await world.choices("show", "topic", "harbour7")
    assert alias[0]["value"] == "harbour-07"


async def test_section_autocomplete_follows_the_topic_typed_in_the_same_command(
    world: World,
) -> None:
    listed = await world.choices("section", "section", "", topic=SEED_ID)
    assert listed == [
        {"name": "1. 米露間の交渉の可能性", "value": "us-russia-talks"},
        {"name": "2. 米ロ首脳会談の可能性", "value": "summit-prospects"},
        {"name": "3. ウクライナ国内の現状と今後の展望", "value": "situation-in-ukraine"},
    ]
    assert (await world.choices("section", "section", "首脳", topic="ukraine"))[0][
        "value"
    ] == "summit-prospects"
    assert (await world.choices("sources", "section", "SITUATION", topic="ｕｋｒａｉｎｅ"))[0][
        "value"
    ] == "situation-in-ukraine"
    # A topic still being typed (with a typo) is the best guess; nothing typed gives nothing.
    assert len(await world.choices("section", "section", "", topic="ukrane")) == 3
    assert await world.choices("section", "section", "") == []
    assert await world.choices("section", "section", "", topic="qqqqzzzz") == []


# --- errors -----------------------------------------------------------------------


async def test_unknown_topic_is_explained_privately_with_suggestions(world: World) -> None:
    reply = response(await world.slash("show", topic="ukrain"))
    assert reply.ephemeral
    assert reply.embeds == []
    assert reply.content == ("No briefing is called “ukrain”.\nDid you mean: `ukraine-ceasefire`?")
    simcord.assert_error(world.env, TopicNotFound)


async def test_unknown_section_names_topic_and_suggests(world: World) -> None:
    reply = response(await world.slash("section", topic="ukraine", section="summit"))
    assert reply.ephemeral
    assert reply.content == (
        "Briefing `ukraine-ceasefire` has no section “summit”.\nDid you mean: `summit-prospects`?"
    )
    simcord.assert_error(world.env, SectionNotFound)
    reply = response(await world.slash("sources", topic="ukraine", section="9"))
    assert reply.content.startswith("Briefing `ukraine-ceasefire` has no section “9”.")
    simcord.assert_error(world.env, SectionNotFound)


async def test_errors_follow_the_users_locale(
    world: World, interaction_locale: Callable[[str], None]
) -> None:
    interaction_locale("ja")
    reply = response(await world.slash("show", topic="nothing-here"))
    assert reply.ephemeral
    assert reply.content.startswith("「nothing-here」というブリーフィングはありません。")
    simcord.assert_error(world.env, TopicNotFound)
    reply = response(await world.slash("section", topic="ukraine", section="summit"))
    assert reply.content == (
        "ブリーフィング `ukraine-ceasefire` に「summit」というセクションはありません。\n"
        "もしかして: `summit-prospects`"
    )
    simcord.assert_error(world.env, SectionNotFound)


async def test_what_the_user_typed_is_echoed_short_and_literally(world: World) -> None:
    reply = response(await world.slash("show", topic="**bold** @everyone " + "x" * 3000))
    # Cut to 100 characters at a word boundary; markdown shows literally; nobody is pinged.
    assert reply.content == "No briefing is called “\\*\\*bold\\*\\* @everyone…”."
    assert not reply.message.mention_everyone
    simcord.assert_error(world.env, TopicNotFound)


async def test_a_bug_gives_a_friendly_private_message_not_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(world.bot.library, "search", broken)
    reply = response(await world.slash("search", query="停戦"))
    assert reply.ephemeral
    assert reply.content == (
        "Something went wrong on our side. It has been logged; please try again."
    )
    assert "Traceback" not in reply.content
    simcord.assert_error(world.env, RuntimeError, contains="index exploded")


# --- descriptions and localizations in the synced payload -----------------------------


def synced_briefing(env: simcord.Env) -> dict[str, Any]:
    [sync] = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert isinstance(sync.json, list)
    [group] = [c for c in sync.json if c["name"] == "briefing"]
    assert isinstance(group, dict)
    return group


async def test_every_command_and_option_is_described_and_localized_in_japanese(
    world: World,
) -> None:
    group = synced_briefing(world.env)
    assert group["name_localizations"] == {"ja": "ブリーフィング"}
    assert group["description_localizations"]["ja"]
    described = {
        "list": "List every briefing with its update date and number of sections.",
        "show": "Show a briefing's overview, with buttons to read every section.",
        "section": "Show one section: its answer, key points, sources and commentary.",
        "sources": "List every source of a briefing or one section, with dates and stale marks.",
        "search": "Search everything in every briefing: titles, tags, sections and sources.",
        "follow": "Get a topic's digests in your direct messages, on your own schedule.",
        "unfollow": "Stop getting a topic's digests in your direct messages.",
        "following": "What you follow: the next digest, the last runs and what waits.",
    }
    subcommands = {sub["name"]: sub for sub in group["options"]}
    assert set(subcommands) == set(described)
    for name, sub in subcommands.items():
        assert sub["description"] == described[name]
        assert sub["name_localizations"]["ja"]
        assert sub["description_localizations"]["ja"]
        # Reading commands may answer publicly; a member's follows are always private.
        has_private = any(option["name"] == "private" for option in sub.get("options", ()))
        assert has_private == (name not in {"follow", "unfollow", "following"}), name
        for option in sub.get("options", ()):
            assert option["description"], (name, option["name"])
            assert option["name_localizations"]["ja"], (name, option["name"])
            assert option["description_localizations"]["ja"], (name, option["name"])
    assert subcommands["show"]["name_localizations"]["ja"] == "表示"
    topic = next(o for o in subcommands["show"]["options"] if o["name"] == "topic")
    assert topic["autocomplete"] is True
    section = next(o for o in subcommands["section"]["options"] if o["name"] == "section")
    assert section["autocomplete"] is True


async def test_the_overview_renders_as_text_for_every_reader(world: World) -> None:
    reply = response(await world.slash("show", topic="ukraine"))
    text = message_text(reply)
    assert "<t:1741953600:D>" in text
    assert embed_text(reply.embeds[0]).startswith(SEED_TITLE)
