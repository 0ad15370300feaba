"""Every command, option and choice the bot syncs has a Japanese name and description."""

from __future__ import annotations

import re
from typing import Any

from bot.config import Settings
from bot.discord.client import EXTENSIONS, create_bot
from bot.discord.translator import CommandTranslator

# Discord's rule for command and option names (lower case where the script has case).
NAME_PATTERN = re.compile(r"^[-_\w]{1,32}$")


def untranslated(node: dict[str, Any], found: list[str]) -> list[str]:
    for key in ("name", "description"):
        if key in node and not node.get(f"{key}_localizations", {}).get("ja"):
            found.append(f"{key}: {node[key]}")
    for choice in node.get("choices") or []:
        if not choice.get("name_localizations", {}).get("ja"):
            found.append(f"choice: {choice['name']}")
    for option in node.get("options") or []:
        untranslated(option, found)
    return found


def names(node: dict[str, Any]) -> list[str]:
    own = [node.get("name_localizations", {}).get("ja", "")]
    return own + [name for option in node.get("options") or [] for name in names(option)]


async def test_every_synced_string_has_a_valid_japanese_localization(settings: Settings) -> None:
    bot = create_bot(settings)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    await bot.tree.set_translator(CommandTranslator())
    payload = await bot.command_payload(None)
    assert {command["name"] for command in payload} == {"briefing", "digest", "briefing-admin"}
    missing: list[str] = []
    for command in payload:
        untranslated(command, missing)
    assert missing == []
    for command in payload:
        for name in names(command):
            assert NAME_PATTERN.match(name), name
            assert name == name.lower()
