"""A simcord world for the digest end-to-end tests, and helpers to read what was posted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import discord
import simcord

from bot.config import DeliverySettings, DigestSettings, Settings
from bot.delivery.queue import Backoff
from bot.digests.records import Subscription, SubscriptionRequest
from bot.discord.client import BriefBot

SEED_NAME = "ukraine-ceasefire.yaml"
SEED_ID = "ukraine-ceasefire"
FIRST_ANSWER = "米露間の接触は活発化、プーチン大統領が立場説明へ。"
EDITED_ANSWER = "米露の接触が続き、首脳会談の準備が進む。"
FIRST_HEADING = "米露間の交渉の可能性"
SECTION_HEADINGS = (
    "米露間の交渉の可能性",
    "米ロ首脳会談の可能性",
    "ウクライナ国内の現状と今後の展望",
)


def digest_settings(
    tmp_path: Path, briefings_dir: Path, *, default_timezone: str = "UTC", **digest: Any
) -> Settings:
    """Settings for digest tests: a one-hour tick (tests call deliver_due themselves)."""
    return Settings(
        briefings_dir=briefings_dir,
        database_path=tmp_path / "data" / "briefbot.sqlite3",
        watch=False,
        default_timezone=default_timezone,
        digest=DigestSettings(**{"tick_seconds": 3600, **digest}),
        delivery=DeliverySettings(rate_per_second=50, max_attempts=3),
    )


def fast_retries(bot: BriefBot) -> BriefBot:
    """No waiting between attempts, so retry tests run at once."""
    bot.digests.delivery.backoff = Backoff(base=0)
    return bot


class World:
    """A newsroom guild: a digest channel, a system channel, staff and a reader."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        assert isinstance(env.bot, BriefBot)
        self.guild = env.create_guild("Newsroom")
        self.channel = self.guild.create_text_channel("digests")
        self.system = self.guild.create_text_channel("general")
        staff = self.guild.create_role(
            "Staff", permissions=discord.Permissions(manage_channels=True)
        )
        self.staff = self.guild.add_member(env.create_user("editor"), roles=[staff])
        self.reader = self.guild.add_member(env.create_user("reader"))

    @property
    def bot(self) -> BriefBot:
        bot = self.env.bot
        assert isinstance(bot, BriefBot)
        return bot

    @property
    def seed(self) -> Path:
        return self.bot.settings.briefings_dir / SEED_NAME

    def edit_seed(self, old: str, new: str) -> None:
        text = self.seed.read_text(encoding="utf-8")
        assert old in text
        self.seed.write_text(text.replace(old, new, 1), encoding="utf-8")

    async def reload(self) -> None:
        report = await self.bot.reload_briefings(force=True)
        assert not report.errors, report.errors

    async def subscribe(
        self,
        channel: Any = None,
        *,
        schedule: str = "daily 09:00",
        timezone: str = "UTC",
        mode: str = "changes",
        topics: str | None = None,
    ) -> Subscription:
        """Subscribe through the service, as `/digest subscribe` does."""
        target = channel or self.channel
        subscription, _ = await self.bot.digests.subscribe(
            self.guild.id,
            target.id,
            SubscriptionRequest(
                language="en", topics=topics, schedule=schedule, timezone=timezone, mode=mode
            ),
            user_id=self.staff.id,
            now=self.bot.clock(),
        )
        return subscription

    async def digest(self, command: str, **options: Any) -> simcord.InteractionResult:
        """Run `/digest <command>` as the editor (Manage Channels), in the digest channel."""
        return await self.staff.slash(self.channel, f"digest {command}", **options)

    async def subscription(self, channel: Any = None) -> Subscription | None:
        target = channel or self.channel
        return await self.bot.store.subscriptions.in_channel(self.guild.id, target.id)

    async def use_system_channel(self) -> None:
        """Make `general` the guild's system channel, through the bot's own client."""
        guild = self.bot.get_guild(self.guild.id)
        assert guild is not None
        system = guild.get_channel(self.system.id)
        assert isinstance(system, discord.TextChannel)
        await guild.edit(system_channel=system)
        await self.env.settle()
        assert guild.system_channel is not None


def posted(channel: Any) -> list[discord.Message]:
    """Every message in a channel, oldest first."""
    return list(channel.history())


def field_names(message: discord.Message) -> list[str]:
    return [f.name or "" for embed in message.embeds for f in embed.fields]


def message_text(message: discord.Message) -> str:
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


TOKYO_NINE = utc(2026, 1, 2, 0)  # 09:00 in Tokyo, the first after the simulated start
