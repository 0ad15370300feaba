"""The briefings we ship: they load cleanly and every one renders in Discord."""

from __future__ import annotations

from pathlib import Path

import pytest
import simcord

from bot.briefings.library import load_library
from bot.briefings.loader import SCHEMA_COMMENT
from bot.config import Settings, load_settings
from bot.discord.client import create_bot
from tests.conftest import REAL_BRIEFINGS, REPO_ROOT

SHIPPED = sorted(REAL_BRIEFINGS.glob("*.yaml"))


def test_there_is_at_least_the_seed_briefing() -> None:
    assert [p.name for p in SHIPPED] >= ["ukraine-ceasefire.yaml"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_file_starts_with_the_schema_comment(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT


def test_the_shipped_config_points_at_the_shipped_briefings() -> None:
    settings = load_settings(REPO_ROOT / "config.yaml")
    assert settings.briefings_dir == REAL_BRIEFINGS
    assert settings.default_timezone == "Asia/Tokyo"


def test_every_shipped_briefing_loads_without_errors() -> None:
    library, result = load_library([REAL_BRIEFINGS])
    assert result.errors == []
    assert len(library) == len(SHIPPED)


async def test_every_shipped_briefing_and_section_renders_through_discord(tmp_path: Path) -> None:
    settings = Settings(
        briefings_dir=REAL_BRIEFINGS, database_path=tmp_path / "db.sqlite3", watch=False
    )
    bot = create_bot(settings)
    async with simcord.run(bot, shard_count=1) as env:
        try:
            guild = env.create_guild("Readers")
            channel = guild.create_text_channel("briefings")
            reader = guild.add_member(env.create_user("reader"))
            for briefing in bot.library:
                shown = await reader.slash(channel, "briefing show", topic=briefing.id)
                assert shown.response.embeds[0].title == briefing.title
                for section in briefing.sections:
                    result = await reader.slash(
                        channel, "briefing section", topic=briefing.id, section=section.id
                    )
                    assert section.answer in (result.response.embeds[0].description or "")
            assert env.errors == []
        finally:
            await bot.store.close()
