"""Shared helpers for the `/briefing` end-to-end tests: a small world and readers of replies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
import simcord

from bot.discord.client import BriefBot

SEED_ID = "ukraine-ceasefire"
SEED_TITLE = "ウクライナ停戦協議? 米ロ首脳会談の可能性と、緊迫する情勢の行方?"
MESSAGE_PATHS = ("/callback", "/messages", "@original")


class World:
    """One guild with a text channel and two members, around the real bot."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        assert isinstance(env.bot, BriefBot)
        self.bot = env.bot
        self.guild = env.create_guild("Newsroom")
        self.channel = self.guild.create_text_channel("briefings")
        self.reader = self.guild.add_member(env.create_user("reader"))
        self.other = self.guild.add_member(env.create_user("other"))

    async def slash(self, name: str, **options: Any) -> simcord.InteractionResult:
        return await self.reader.slash(self.channel, f"briefing {name}", **options)

    async def choices(
        self, command: str, option: str, typed: str, **filled: Any
    ) -> list[dict[str, Any]]:
        return await self.reader.autocomplete(
            self.channel, f"briefing {command}", option, typed, **filled
        )


def response(result: simcord.InteractionResult) -> simcord.ResponseMessage:
    """The reply, which every command must give."""
    assert result.response is not None, "the bot did not respond"
    return result.response


def fields(embed: discord.Embed) -> list[tuple[str, str]]:
    """(name, value) of every field, as plain strings."""
    return [(field.name or "", field.value or "") for field in embed.fields]


def values(embed: discord.Embed) -> list[str]:
    return [value for _, value in fields(embed)]


def names(embed: discord.Embed) -> list[str]:
    return [name for name, _ in fields(embed)]


def embed_text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or ""]
    for field in embed.fields:
        parts += [field.name or "", field.value or ""]
    parts.append(embed.footer.text or "")
    return "\n".join(parts)


def message_text(message: simcord.ResponseMessage) -> str:
    return "\n".join([message.content, *(embed_text(e) for e in message.embeds)])


def content_stream(embeds: list[discord.Embed]) -> str:
    """Descriptions and field values in order without whitespace: split text rejoins here."""
    text = "".join(
        (embed.description or "") + "".join(field.value or "" for field in embed.fields)
        for embed in embeds
    )
    return "".join(text.split())


def components(message: simcord.ResponseMessage) -> Iterator[dict[str, Any]]:
    for row in message.components:
        yield from row.get("components", [])


def component(message: simcord.ResponseMessage, custom_id: str) -> dict[str, Any]:
    found = [c for c in components(message) if c.get("custom_id") == custom_id]
    assert found, f"no component {custom_id!r} in {message.components}"
    return found[0]


async def read_every_page(
    world: World, message: simcord.ResponseMessage
) -> list[list[discord.Embed]]:
    """Click Next until it is disabled; the embeds of every page, in order."""
    pages = [message.embeds]
    while not component(message, "pages:next")["disabled"]:
        await world.reader.click(message, custom_id="pages:next")
        pages.append(message.embeds)
        assert len(pages) < 500, "Next never got disabled"
    return pages


def message_requests(env: simcord.Env, since: int = 0) -> list[dict[str, Any]]:
    """The JSON bodies of every request that sent or edited a message."""
    bodies = []
    for entry in env.http_requests[since:]:
        body = entry.json
        if not isinstance(body, dict) or not entry.path.endswith(MESSAGE_PATHS):
            continue
        data = body.get("data") if "data" in body else body
        if isinstance(data, dict) and (
            "embeds" in data or "content" in data or "components" in data
        ):
            bodies.append(data)
    return bodies


def assert_mentions_nobody(env: simcord.Env, since: int = 0) -> int:
    """Every message the bot sent or edited allows no mentions; returns how many were checked."""
    bodies = message_requests(env, since)
    for body in bodies:
        assert body.get("allowed_mentions") == {"parse": []}, body
    return len(bodies)
