"""Japanese names and descriptions for the slash commands, through discord.py's Translator."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.text.i18n import COMMAND_TRANSLATIONS


class CommandTranslator(app_commands.Translator):
    """Looks command, option and choice strings up in `bot.text.i18n.COMMAND_TRANSLATIONS`."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The localized text for this string, or None to keep the English."""
        language = locale.value.split("-", 1)[0]
        table = COMMAND_TRANSLATIONS.get(language)
        if table is None:
            return None
        return table.get(string.message)
