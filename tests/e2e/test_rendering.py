"""Rendering end to end: Discord's limits, nothing lost, no pings, and the page controls."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import simcord
import yaml

from bot.config import Settings
from bot.digests.compose import DigestMessage
from bot.discord.client import BriefBot, create_bot
from bot.discord.rendering import NAVIGATION_TIMEOUT, card_embed, messages_json
from bot.text.cards import Card, Field

from .briefing_world import (
    SEED_TITLE,
    World,
    assert_mentions_nobody,
    component,
    content_stream,
    embed_text,
    fields,
    read_every_page,
    response,
)


def sentences(prefix: str, count: int) -> str:
    return " ".join(f"{prefix} sentence {n:03d} says something, then more." for n in range(count))


HUGE_BODY = sentences("Body", 100)  # about 5,000 characters in one paragraph
HUGE_ANSWER = sentences("Answer", 60)  # about 3,000 characters
JAPANESE_BODY = "".join(f"第{n}文は長い説明で、読点を含みます。" for n in range(300))
POINTS = [f"Point {n:02d}: {sentences(f'P{n}', 3)}" for n in range(30)]

OVERSIZED: dict[str, Any] = {
    "title": "Oversized briefing " + "🇯🇵👨‍👩‍👧" * 5,
    "summary": sentences("Summary", 120),
    "language": "en",
    "updated": "2026-01-01",
    "sections": [
        {
            "id": "huge",
            "heading": "A section far beyond every embed limit",
            "question": "What happens when everything is too long?",
            "answer": HUGE_ANSWER,
            "published": "2025-12-31",
            "points": POINTS,
            "commentary": sentences("Commentary", 40),
            "body": [HUGE_BODY, JAPANESE_BODY, "Short closing paragraph."],
            "sources": [
                {"name": f"Source *{n}* [x]", "url": f"https://example.com/{n}"} for n in range(40)
            ],
        },
        {"id": "small", "heading": "Small", "answer": "Small answer."},
    ],
}

MENTIONS: dict[str, Any] = {
    "title": "@everyone alert <@123>",
    "summary": "Hello @here and <@123> and <@&456> and @everyone.",
    "language": "en",
    "updated": "2026-01-01",
    "sections": [
        {
            "id": "ping",
            "heading": "@everyone <@123>",
            "answer": "Ping @here <@!123>.",
            "points": ["@everyone look", "<@&456> roles too"],
            "body": ["@here again"],
            "sources": [{"name": "@everyone news", "url": "https://example.com/ping"}],
        }
    ],
}

MANY_SECTIONS: dict[str, Any] = {
    "title": "Forty sections",
    "summary": "A briefing longer than a select menu.",
    "updated": "2026-01-01",
    "sections": [
        {"id": f"s{n:02d}", "heading": f"Section number {n}", "answer": f"Answer {n}."}
        for n in range(1, 41)
    ],
}


def as_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    """The real bot, with the test briefings written before it loads the folder."""
    folder = settings.briefings_dir
    (folder / "oversized.yaml").write_text(as_yaml(OVERSIZED), encoding="utf-8")
    (folder / "mentions.yaml").write_text(as_yaml(MENTIONS), encoding="utf-8")
    (folder / "forty.yaml").write_text(as_yaml(MANY_SECTIONS), encoding="utf-8")
    return create_bot(settings)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    bot = simcord_env.bot
    assert isinstance(bot, BriefBot)
    loaded = set(bot.library.briefings)
    assert {"oversized", "mentions", "forty"} <= loaded
    return World(simcord_env)


def squash(text: str) -> str:
    return "".join(text.split())


async def test_an_oversized_section_is_split_over_pages_and_nothing_is_lost(
    world: World,
) -> None:
    reply = response(await world.slash("section", topic="oversized", section="huge"))
    pages = await read_every_page(world, reply)
    assert len(pages) > 3
    everything = "".join(content_stream(embeds) for embeds in pages)
    for text in [HUGE_ANSWER, *POINTS, HUGE_BODY, JAPANESE_BODY, sentences("Commentary", 40)]:
        assert squash(text) in everything
    for n in range(40):
        assert squash(f"[Source \\*{n}\\* \\[x\\]](https://example.com/{n})") in everything
    footers = [embeds[-1].footer.text for embeds in pages]
    assert footers == [f"Page {n}/{len(pages)}" for n in range(1, len(pages) + 1)]
    assert world.env.errors == []  # in particular no 400/50035 from Discord's limits


async def test_long_text_breaks_at_sentence_ends(world: World) -> None:
    reply = response(await world.slash("section", topic="oversized", section="huge"))
    pages = await read_every_page(world, reply)
    body_pieces = [
        value
        for embeds in pages
        for embed in embeds
        for name, value in fields(embed)
        if name in {"Details", "Details (continued)"}
    ]
    assert len(body_pieces) > 5
    for piece in body_pieces[:-1]:
        assert piece.rstrip().endswith((".", "。")), piece[-40:]
    answer = "".join(embed.description or "" for embeds in pages for embed in embeds)
    assert squash(HUGE_ANSWER) in squash(answer)


async def test_every_page_of_the_whole_oversized_briefing_fits(world: World) -> None:
    reply = response(await world.slash("show", topic="oversized"))
    pages = await read_every_page(world, reply)
    for embeds in pages:
        total = 0
        for embed in embeds:
            assert len(embed.title or "") <= 256
            assert len(embed.description or "") <= 4096
            assert len(embed.fields) <= 25
            for name, value in fields(embed):
                assert len(name) <= 256
                assert 0 < len(value.strip()) <= 1024
            total += len(embed)
        assert total <= 6000
    assert pages[0][0].title == OVERSIZED["title"]
    assert squash(OVERSIZED["summary"]) in "".join(content_stream(e) for e in pages)
    assert world.env.errors == []


async def test_a_briefing_full_of_mentions_pings_nobody(world: World) -> None:
    since = len(world.env.http_requests)
    shown = response(await world.slash("show", topic="mentions"))
    await world.reader.click(shown, custom_id="pages:next")
    section = response(await world.slash("section", topic="mentions", section="ping"))
    found = response(await world.slash("search", query="@everyone"))
    sources = response(await world.slash("sources", topic="mentions"))
    assert "@everyone" in embed_text(section.embeds[0])
    for reply in (shown, section, found, sources):
        message = reply.message
        assert not message.mention_everyone
        assert message.mentions == []
        assert message.role_mentions == []
    assert assert_mentions_nobody(world.env, since) >= 5


async def test_errors_and_refusals_ping_nobody_either(world: World) -> None:
    since = len(world.env.http_requests)
    mine = response(await world.slash("show", topic="ukraine"))
    await world.other.click(mine, custom_id="pages:next")
    await world.slash("show", topic="@everyone")
    simcord.assert_error(world.env)
    assert assert_mentions_nobody(world.env, since) == 3


async def test_someone_elses_buttons_are_refused_politely(world: World) -> None:
    mine = response(await world.slash("show", topic="ukraine"))
    refused = await world.other.click(mine, custom_id="pages:next")
    note = response(refused)
    assert note.ephemeral
    assert note.content == (
        "These pages belong to someone else. Run the command yourself to get your own copy."
    )
    assert mine.embeds[0].title == SEED_TITLE  # unchanged
    refused = await world.other.select(mine, ["summit-prospects"], custom_id="pages:jump")
    assert response(refused).ephemeral
    assert mine.embeds[0].title == SEED_TITLE
    await world.reader.click(mine, custom_id="pages:next")
    assert mine.embeds[0].title == "1. 米露間の交渉の可能性"


async def test_page_controls_speak_the_briefings_language_and_refusals_the_readers(
    world: World, interaction_locale: Callable[[str], None]
) -> None:
    # One language per reply: a Japanese reader of an English briefing gets English
    # pages and English controls; only the error addressed to a reader follows them.
    interaction_locale("ja")
    reply = response(await world.slash("show", topic="forty"))
    assert component(reply, "pages:previous")["label"] == "Previous"
    assert component(reply, "pages:next")["label"] == "Next"
    menu = component(reply, "pages:jump")
    assert menu["placeholder"] == "Jump to a section…"
    assert menu["options"][0]["label"] == "Overview"
    # 40 answers need two overview pages (25 fields each at most), then one per section.
    assert reply.embeds[0].footer.text == "Page 1/42"
    refused = await world.other.click(reply, custom_id="pages:next")
    assert response(refused).content.startswith("このページ操作は他の人のものです")


async def test_the_section_menu_slides_along_a_long_briefing(world: World) -> None:
    reply = response(await world.slash("show", topic="forty"))
    values = [o["value"] for o in component(reply, "pages:jump")["options"]]
    assert len(values) == 25
    assert values[:3] == ["#overview", "s01", "s02"]
    assert values[-1] == "s24"
    await world.reader.select(reply, ["s24"], custom_id="pages:jump")
    assert reply.embeds[0].title == "24. Section number 24"
    options = component(reply, "pages:jump")["options"]
    assert len(options) == 25
    assert options[0]["value"] == "#overview"
    window = [o["value"] for o in options[1:]]
    assert window == [f"s{n:02d}" for n in range(12, 36)]  # centred on the current section
    await world.reader.select(reply, ["s35"], custom_id="pages:jump")
    assert reply.embeds[0].title == "35. Section number 35"
    values = [o["value"] for o in component(reply, "pages:jump")["options"]]
    assert values[-1] == "s40"
    await world.reader.select(reply, ["s40"], custom_id="pages:jump")
    assert component(reply, "pages:next")["disabled"]


async def test_controls_are_removed_when_they_expire(world: World) -> None:
    reply = response(await world.slash("show", topic="ukraine"))
    await world.reader.click(reply, custom_id="pages:next")
    await world.env.advance_time(NAVIGATION_TIMEOUT - 60)
    assert reply.components != []  # a click restarted the clock
    await world.env.advance_time(61)
    assert reply.components == []
    assert reply.embeds[0].title == "1. 米露間の交渉の可能性"  # the page stays readable
    assert world.env.errors == []


async def test_controls_that_outlived_a_restart_are_removed_with_a_note(
    world: World, settings: Settings
) -> None:
    reply = response(await world.slash("show", topic="ukraine"))
    old = world.bot
    await world.env.restart_bot(create_bot(settings))
    await old.store.close()
    clicked = await world.reader.click(reply, custom_id="pages:next")
    assert reply.components == []  # the dead controls are gone
    assert reply.embeds[0].title == SEED_TITLE  # the page itself stays
    [note] = clicked.followups
    assert note.ephemeral
    assert note.content == "These buttons have expired. Run the command again to page through it."
    fresh = response(await world.slash("show", topic="ukraine"))
    await world.reader.click(fresh, custom_id="pages:next")  # live controls still work
    assert fresh.embeds[0].title == "1. 米露間の交渉の可能性"
    assert world.env.errors == []


def test_stored_digest_json_is_exactly_the_embeds_discord_py_builds() -> None:
    first = Card("見出し «quoted»", '説明 \\ "x"', (Field("a", "b"), Field("c", "d", True)))
    last = Card("", "", (Field("n", "v"),), footer="フッター", url="https://x.example/")
    messages = [DigestMessage("**Digest**", (first, last)), DigestMessage("", (first,))]
    cache: dict[Card, str] = {}

    text = messages_json(messages, cache)

    expected = [
        {"content": m.content, "embeds": [card_embed(c).to_dict() for c in m.cards]}
        for m in messages
    ]
    assert text == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    assert set(cache) == {first, last}
    assert messages_json(messages, cache) == text == messages_json(messages)
