"""Messages in English and Japanese, the fallback, and the slash commands' Japanese names."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

import discord
import pytest
from discord import app_commands

from bot.config import Settings
from bot.discord.client import create_bot
from bot.discord.cogs.briefing import BriefingCog
from bot.discord.translator import CommandTranslator
from bot.text.i18n import (
    COMMAND_TRANSLATIONS,
    DEFAULT_LANGUAGE,
    MESSAGES,
    error_message,
    language_of,
    translate,
)

# Discord's rule for command and option names (and their localizations).
NAME_PATTERN = re.compile(r"^[-_\w]{1,32}$")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(MESSAGES) == {"en", "ja"}
    assert set(MESSAGES["ja"]) == set(MESSAGES["en"])


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_translations_take_the_same_placeholders(key: str) -> None:
    assert placeholders(MESSAGES["ja"][key]) == placeholders(MESSAGES["en"][key]), key
    assert MESSAGES["ja"][key].strip()


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ja", "ja"),
        ("ja-JP", "ja"),
        ("ja_JP", "ja"),
        ("JA", "ja"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("zh-TW", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_of_falls_back_to_english(locale: str | None, language: str) -> None:
    assert language_of(locale) == language


def test_the_required_labels() -> None:
    expected = {
        "label.key_points": ("Key points", "要点"),
        "label.sources": ("Sources", "出典"),
        "label.published": ("Published", "公開日"),
        "label.takeaways": ("Takeaways", "まとめ"),
        "label.updated": ("Updated", "更新"),
        "label.stale": ("Stale source", "古い情報"),
    }
    for key, (english, japanese) in expected.items():
        assert translate(key, "en") == english
        assert translate(key, "ja-JP") == japanese
        assert translate(key, "de") == english


def test_translate_fills_placeholders_and_formats_lists() -> None:
    assert translate("label.page", "ja", page=2, pages=5) == "2/5ページ"
    assert translate("error.did_you_mean", "en", suggestions=["a", "b"]) == (
        "Did you mean: `a`, `b`?"
    )


def test_a_key_missing_in_japanese_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    japanese = dict(MESSAGES["ja"])
    del japanese["label.next"]
    monkeypatch.setitem(MESSAGES, "ja", japanese)
    assert translate("label.next", "ja") == MESSAGES[DEFAULT_LANGUAGE]["label.next"]


def test_error_messages_add_suggestions_only_when_there_are_some() -> None:
    assert error_message("error.topic_not_found", "ja", value="x", suggestions=["ukraine"]) == (
        "「x」というブリーフィングはありません。\nもしかして: `ukraine`"
    )
    assert error_message("error.topic_not_found", "en", value="x", suggestions=[]) == (
        "No briefing is called “x”."
    )


def briefing_strings(settings: Settings) -> Iterator[tuple[str, str]]:
    """(kind, text) of every name and description in the /briefing group."""
    group = BriefingCog(create_bot(settings)).app_command
    assert group is not None
    yield "name", group.name
    yield "description", group.description
    for command in group.commands:
        assert isinstance(command, app_commands.Command)
        yield "name", command.name
        yield "description", command.description
        for parameter in command.parameters:
            yield "name", parameter.name
            yield "description", parameter.description


def test_every_briefing_name_and_description_has_a_japanese_translation(
    settings: Settings,
) -> None:
    table = COMMAND_TRANSLATIONS["ja"]
    checked = 0
    for kind, text in briefing_strings(settings):
        checked += 1
        assert text in table, f"no Japanese for {kind} {text!r}"
        translated = table[text]
        if kind == "name":
            assert NAME_PATTERN.match(translated), translated
            assert translated == translated.lower()
        else:
            assert 1 <= len(translated) <= 100, translated
            assert 1 <= len(text) <= 100, text
    assert checked > 20


async def test_the_translator_answers_japanese_only() -> None:
    translator = CommandTranslator()
    context: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.other, None
    )
    show = app_commands.locale_str("show")
    assert await translator.translate(show, discord.Locale.japanese, context) == "表示"
    assert await translator.translate(show, discord.Locale.american_english, context) is None
    assert await translator.translate(show, discord.Locale.french, context) is None
    unknown = app_commands.locale_str("no such string")
    assert await translator.translate(unknown, discord.Locale.japanese, context) is None
