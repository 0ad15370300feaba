"""The demo's server: its channels, roles and three people, and the simulated clock.

Everyone types in `#general`. `#news`, the announcement channel and the forum
`#briefings` (a post per digest) can take digests, and the `@Briefing readers` role
can be pinged by one. The clock is simcord's: it starts at
2026-01-01 00:00 UTC and moves only when the demo moves it (`tick`, `offline`) or while
the bot's own timers run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import discord
import simcord

SERVER_NAME = "Demo server"
CLOCK_FORMAT = "%a %Y-%m-%d %H:%M UTC"
_MENTION = re.compile(r"<(?:#|@&|@!?)(\d+)>")


@dataclass(frozen=True)
class Person:
    """Someone the demo's user can type as: `as member`, `as moderator`, `as admin`."""

    name: str
    actor: simcord.MemberActor
    may: str  # what their permissions allow, for `help` and `server`


@dataclass(frozen=True)
class DemoChannel:
    """A channel of the demo server and what kind it is."""

    handle: simcord.ChannelHandle
    type: discord.ChannelType
    kind: str  # how the demo names the type: "text channel", "forum", ...

    @property
    def name(self) -> str:
        """The channel's name, without the #."""
        return self.handle.name or str(self.handle.id)

    @property
    def kind_with_article(self) -> str:
        """`a forum`, `an announcement channel`."""
        return ("an " if self.kind[0] in "aeiou" else "a ") + self.kind


class DemoWorld:
    """The demo server around the bot: channels, roles, people and the clock."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        guild = self.guild = env.create_guild(SERVER_NAME)
        self.general = guild.create_text_channel(
            "general", topic="Where you type: the bot answers here"
        )
        self.news = guild.create_text_channel("news", topic="A channel for digests")
        forum = guild.create_forum_channel("briefings")
        announcements = guild.create_news_channel("announcements")
        self.channels = [
            DemoChannel(self.general, discord.ChannelType.text, "text channel"),
            DemoChannel(self.news, discord.ChannelType.text, "text channel"),
            DemoChannel(forum, discord.ChannelType.forum, "forum"),
            DemoChannel(announcements, discord.ChannelType.news, "announcement channel"),
        ]
        self.readers = guild.create_role("Briefing readers", mentionable=True)
        moderators = guild.create_role(
            "Moderators", permissions=discord.Permissions(manage_channels=True)
        )
        admins = guild.create_role(
            "Admins", permissions=discord.Permissions(manage_guild=True, manage_channels=True)
        )
        self.roles = [self.readers, moderators, admins]
        self.people = {
            person.name: person
            for person in (
                Person(
                    "member",
                    guild.add_member(env.create_user("member"), roles=[self.readers]),
                    "no special permissions; has the @Briefing readers role",
                ),
                Person(
                    "moderator",
                    guild.add_member(env.create_user("moderator"), roles=[moderators]),
                    "Manage Channels: may use /digest",
                ),
                Person(
                    "admin",
                    guild.add_member(env.create_user("admin"), roles=[admins]),
                    "Manage Server and Manage Channels: may also use /briefing-admin",
                ),
            )
        }

    # --- looking things up by what the user types -------------------------------------

    def person(self, name: str) -> Person:
        """`moderator` (or `mod`) -> that person; ValueError naming the choices otherwise."""
        wanted = name.strip().lower()
        found = [
            person for person in self.people.values() if wanted and person.name.startswith(wanted)
        ]
        if len(found) == 1:
            return found[0]
        raise ValueError(f"no one called {name.strip()!r}; type as {' | as '.join(self.people)}")

    def channel(self, name: str) -> DemoChannel:
        """`#news`, `news` or `<#id>` -> that channel; ValueError naming the channels otherwise."""
        wanted = name.strip().lstrip("#").lower()
        mention = _MENTION.fullmatch(name.strip())
        for channel in self.channels:
            if channel.name.lower() == wanted or (
                mention is not None and int(mention.group(1)) == channel.handle.id
            ):
                return channel
        names = ", ".join(f"#{channel.name}" for channel in self.channels)
        raise ValueError(f"no channel {name.strip()!r}; channels: {names}")

    def role(self, name: str) -> simcord.RoleHandle:
        """`@Briefing readers` (any case) -> that role; ValueError otherwise."""
        wanted = name.strip().lstrip("@").lower()
        for role in self.roles:
            if role.name.lower() == wanted:
                return role
        names = ", ".join(f"@{role.name}" for role in self.roles)
        raise ValueError(f"no role {name.strip()!r}; roles: {names}")

    def mention_names(self) -> dict[int, str]:
        """Readable names for the ids in mentions: `#news`, `@Briefing readers`, `@moderator`."""
        names = {channel.handle.id: f"#{channel.name}" for channel in self.channels}
        names.update({role.id: f"@{role.name}" for role in self.roles})
        names.update({person.actor.id: f"@{person.name}" for person in self.people.values()})
        return names

    def readable(self, text: str) -> str:
        """Mentions (`<#id>`, `<@&id>`, `<@id>`) as the names Discord would show."""
        names = self.mention_names()

        def replace(match: re.Match[str]) -> str:
            return names.get(int(match.group(1)), match.group(0))

        return _MENTION.sub(replace, text)

    # --- the clock ----------------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The simulated time, which the bot's clock reads too."""
        return self.env.now()

    async def advance_to(self, moment: dt.datetime) -> None:
        """Move the simulated clock forward to `moment` (never back)."""
        seconds = (moment - self.now()).total_seconds()
        if seconds > 0:
            await self.env.advance_time(seconds)


def clock_text(moment: dt.datetime) -> str:
    """`Thu 2026-01-01 09:00 UTC`: how the demo shows a moment."""
    return moment.astimezone(dt.UTC).strftime(CLOCK_FORMAT)
