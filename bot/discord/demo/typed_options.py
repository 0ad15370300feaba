"""How the demo reads a typed slash command: its command, its options and their values.

`/digest subscribe channel:#news schedule:daily 09:00` names the command by its first
words and then gives `option:value` pairs, values running to the next known option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.discord.demo.world import DemoWorld

_CHANNEL_KINDS = {
    discord.ChannelType.text: "a text channel",
    discord.ChannelType.news: "an announcement channel",
    discord.ChannelType.public_thread: "a thread",
    discord.ChannelType.private_thread: "a thread",
    discord.ChannelType.news_thread: "a thread",
}
_KIND_ORDER = tuple(dict.fromkeys(_CHANNEL_KINDS.values()))  # each kind once, in that order
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def split_options(text: str, names: Iterable[str]) -> dict[str, str]:
    """`topic:ukraine section:2` -> {"topic": "ukraine", "section": "2"} for known names."""
    known = sorted(set(names), key=len, reverse=True)
    if not known or not text.strip():
        return {}
    pattern = re.compile(r"(?:^|(?<=\s))(" + "|".join(map(re.escape, known)) + r"):")
    found = list(pattern.finditer(text))
    if not found or text[: found[0].start()].strip():
        raise ValueError(f"expected option:value, got {text.strip()!r}")
    options = {}
    for match, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        value = text[match.end() : end].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        options[match.group(1)] = value
    return options


def find_command(
    tree: app_commands.CommandTree[Any], words: list[str]
) -> tuple[str, app_commands.Command[Any, ..., Any]] | None:
    """The longest command path the first words name, and its command (None if none)."""
    for size in range(min(3, len(words)), 0, -1):
        path = " ".join(words[:size])
        found = tree.get_command(words[0])
        for part in words[1:size]:
            found = found.get_command(part) if isinstance(found, app_commands.Group) else None
        if isinstance(found, app_commands.Command):
            return path, found
    return None


def option_value(world: DemoWorld, parameter: app_commands.Parameter, value: str) -> Any:
    """What a typed option stands for (a channel, role or person of the demo server, a
    boolean, a number); raises ValueError saying what the option takes."""
    kind = parameter.type
    if kind is discord.AppCommandOptionType.channel:
        channel = world.channel(value)
        allowed = parameter.channel_types
        if allowed and channel.type not in allowed:
            named = {_CHANNEL_KINDS.get(t, f"a {t.name} channel") for t in allowed}
            kinds = [k for k in _KIND_ORDER if k in named] + sorted(named - set(_KIND_ORDER))
            raise ValueError(
                f"#{channel.name} is {channel.kind_with_article}; {parameter.name} takes "
                f"{', '.join(kinds[:-1])} or {kinds[-1]}"
            )
        return channel.handle
    if kind is discord.AppCommandOptionType.role:
        return world.role(value)
    if kind is discord.AppCommandOptionType.user:
        return world.person(value.lstrip("@")).actor
    if kind is discord.AppCommandOptionType.boolean:
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError(f"{parameter.name} takes true or false, not {value!r}")
    if kind is discord.AppCommandOptionType.integer:
        return int(value)
    if kind is discord.AppCommandOptionType.number:
        return float(value)
    return value
