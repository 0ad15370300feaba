"""`/briefing-admin status` in a server shows that server's digests only (issue: guild A's
next due time was shown to guild B's admins); every server's figures are for bot-wide admins."""

from __future__ import annotations

import datetime as dt

import discord
import simcord

from bot.digests.records import SubscriptionRequest
from bot.discord.client import BriefBot

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def digest_field(response: simcord.ResponseMessage) -> tuple[str, str]:
    """The digest field of the status card: its name and value."""
    for embed in response.embeds:
        for field in embed.fields:
            if "igest" in (field.name or ""):
                return field.name or "", field.value or ""
    raise AssertionError("no digest field in the status card")


async def subscribe(bot: BriefBot, guild_id: int, channel_id: int, schedule: str) -> None:
    await bot.digests.subscribe(
        guild_id,
        channel_id,
        SubscriptionRequest(
            language="en", topics=None, schedule=schedule, timezone="UTC", mode="changes"
        ),
        user_id=None,
        now=NOW,
    )


async def test_each_server_sees_only_its_own_subscriptions(simcord_env: simcord.Env) -> None:
    bot: BriefBot = simcord_env.bot
    staff = discord.Permissions(manage_guild=True)
    a, b = simcord_env.create_guild("Guild A"), simcord_env.create_guild("Guild B")
    a_admin = a.add_member(
        simcord_env.create_user("a-admin"), roles=[a.create_role("S", permissions=staff)]
    )
    b_admin = b.add_member(
        simcord_env.create_user("b-admin"), roles=[b.create_role("S", permissions=staff)]
    )
    for n in range(3):
        await subscribe(bot, a.id, a.create_text_channel(f"a-{n}").id, "daily 01:00")
    await subscribe(bot, b.id, b.create_text_channel("b-0").id, "daily 23:00")
    channel_b = b.create_text_channel("b-admin")

    result = await b_admin.slash(channel_b, "briefing-admin status")
    assert result.ephemeral
    name, value = digest_field(result.response)
    assert name == "This server's digest subscriptions"
    assert value.startswith("1 active, 0 paused, 0 failing")
    assert f"<t:{int(dt.datetime(2026, 1, 1, 23, tzinfo=dt.UTC).timestamp())}:f>" in value
    # Guild A's earlier due time (01:00) is not B's business.
    assert f"<t:{int(dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC).timestamp())}:f>" not in value

    result = await a_admin.slash(a.create_text_channel("a-admin"), "briefing-admin status")
    assert digest_field(result.response)[1].startswith("3 active")


async def test_every_servers_figures_need_a_bot_wide_admin(simcord_env: simcord.Env) -> None:
    bot: BriefBot = simcord_env.bot
    guild = simcord_env.create_guild("Newsroom")
    other = simcord_env.create_guild("Elsewhere")
    await subscribe(bot, other.id, other.create_text_channel("x").id, "daily 01:00")
    await subscribe(bot, guild.id, guild.create_text_channel("y").id, "daily 02:00")
    staff = guild.create_role("Staff", permissions=discord.Permissions(manage_guild=True))
    server_admin = guild.add_member(simcord_env.create_user("server-admin"), roles=[staff])
    channel = guild.create_text_channel("bot-admin")

    refused = await server_admin.slash(channel, "briefing-admin status", everywhere=True)
    assert refused.ephemeral
    assert "bot's owner" in refused.response.content
    assert [type(getattr(e, "original", e)).__name__ for e in simcord_env.errors] == ["BotWideOnly"]

    bot.settings = bot.settings.model_copy(update={"admin_user_ids": (server_admin.id,)})
    allowed = await server_admin.slash(channel, "briefing-admin status", everywhere=True)
    name, value = digest_field(allowed.response)
    assert name == "Digest subscriptions in every server"
    assert value.startswith("2 active")


async def test_status_shows_this_processs_shards_and_bot_wide_the_cluster(
    simcord_env: simcord.Env,
) -> None:
    bot: BriefBot = simcord_env.bot
    guild = simcord_env.create_guild("Newsroom")
    staff = guild.create_role("Staff", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[staff])
    channel = guild.create_text_channel("bot-admin")
    bot.settings = bot.settings.model_copy(update={"admin_user_ids": (admin.id,)})

    here = await admin.slash(channel, "briefing-admin status")
    names = [f.name for e in here.response.embeds for f in e.fields]
    assert "Cluster processes" not in names  # the cluster is a bot-wide figure

    everywhere = await admin.slash(channel, "briefing-admin status", everywhere=True)
    fields = {f.name: f.value or "" for e in everywhere.response.embeds for f in e.fields}
    [line] = fields["Cluster processes"].splitlines()
    assert line.startswith(f"`{bot.cluster.me.process_id}` · every shard · <t:")
    assert line.endswith(" · delivers digests")
    assert fields["Shards of this process"].startswith("shard 0: ")
