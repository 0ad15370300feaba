"""Members' follows through the bot's own `DigestService.follows`, over simcord and SQLite.

The service is the one `create_bot` wires (store, library, run and scheduler); DMs are
delivered by simcord, which refuses a DM to a bot user with 50007 as Discord does.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import simcord

from bot.config import Settings
from bot.delivery.follows import FollowService, Unfollowed
from bot.delivery.subscriptions import DEFAULT_SCHEDULE
from bot.digests.records import DM_GUILD, DMS_CLOSED, Subscription
from bot.discord.client import BriefBot, create_bot
from bot.errors import InvalidSchedule, NotFollowing, TopicNotFound
from tests.conftest import SEED_BRIEFING
from tests.support.digest_world import (
    SEED_ID,
    TOKYO_NINE,
    World,
    digest_settings,
    fast_retries,
    posted,
    utc,
)

SECOND_ID = "second-topic"
SECOND_TITLE = "第二の話題 停戦後の復興"
NOON = utc(2026, 1, 1, 12)  # 21:00 in Tokyo


@pytest.fixture
def briefings_dir(tmp_path: Path) -> Path:
    """The seed briefing and a second one (its own id, title and alias) to follow too."""
    target = tmp_path / "briefings"
    target.mkdir()
    shutil.copy(SEED_BRIEFING, target / SEED_BRIEFING.name)
    text = SEED_BRIEFING.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    assert "aliases: [ukraine]" in text
    second = text.replace(title, f"title: {SECOND_TITLE}", 1).replace(
        "aliases: [ukraine]", "aliases: [second]", 1
    )
    (target / f"{SECOND_ID}.yaml").write_text(second, encoding="utf-8")
    return target


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    return digest_settings(tmp_path, briefings_dir, default_timezone="Asia/Tokyo")


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


@pytest.fixture
def follows(world: World) -> FollowService:
    assert {b.id for b in world.bot.library} == {SEED_ID, SECOND_ID}
    return world.bot.digests.follows


async def follow(
    follows: FollowService,
    user_id: int,
    topic: str,
    *,
    schedule: str | None = None,
    timezone: str | None = None,
    now: dt.datetime = NOON,
) -> tuple[Subscription, bool]:
    return await follows.follow(
        user_id, topic, schedule=schedule, timezone=timezone, language="en", now=now
    )


# --- follow ---------------------------------------------------------------------------------


async def test_following_creates_the_members_dm_subscription_on_the_default_schedule(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    assert await follows.of_member(user_id) is None

    saved, created = await follows.follow(
        user_id, "ukraine", schedule=None, timezone=None, language="ja", now=NOON
    )

    assert created is True
    assert (saved.guild_id, saved.channel_id, saved.target) == (DM_GUILD, user_id, "dm")
    assert saved.is_follow
    assert saved.topics == (SEED_ID,)  # the alias is stored as the briefing's id
    assert (saved.schedule, saved.timezone) == (DEFAULT_SCHEDULE, "Asia/Tokyo")
    assert (saved.mode, saved.language, saved.state) == ("changes", "ja", "active")
    assert saved.next_due == TOKYO_NINE
    assert await follows.of_member(user_id) == saved
    # A follow is no guild's subscription.
    assert await world.bot.store.subscriptions.of_guild(world.guild.id) == []


async def test_a_second_topic_joins_the_follow_and_keeps_its_schedule_and_zone(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    first, _ = await follows.follow(
        user_id, SEED_ID, schedule="daily 07:30", timezone="Europe/Paris", language="en", now=NOON
    )
    assert (first.schedule, first.timezone) == ("daily 07:30", "Europe/Paris")
    assert first.next_due == utc(2026, 1, 2, 6, 30)

    second, created = await follows.follow(
        user_id, SECOND_TITLE, schedule=None, timezone=None, language="en", now=NOON
    )

    assert created is False
    assert second.id == first.id
    assert second.topics == (SEED_ID, SECOND_ID)
    assert (second.schedule, second.timezone) == ("daily 07:30", "Europe/Paris")
    assert second.next_due == first.next_due
    assert await follows.of_member(user_id) == second


async def test_following_a_topic_again_adds_it_once_and_a_new_schedule_replaces_the_old(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    await follow(follows, user_id, "ukraine")
    again, created = await follow(follows, user_id, SEED_ID, schedule="daily 18:00")
    assert created is False
    assert again.topics == (SEED_ID,)
    assert (again.schedule, again.timezone) == ("daily 18:00", "Asia/Tokyo")
    assert again.next_due == utc(2026, 1, 2, 9)  # 18:00 in Tokyo the next day


async def test_following_an_unknown_topic_is_refused_and_saves_nothing(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    with pytest.raises(TopicNotFound) as refused:
        await follow(follows, user_id, "no-such-briefing")
    assert refused.value.params["value"] == "no-such-briefing"
    assert await follows.of_member(user_id) is None

    await follow(follows, user_id, "ukraine")
    with pytest.raises(TopicNotFound):
        await follow(follows, user_id, "no-such-briefing")
    current = await follows.of_member(user_id)
    assert current is not None
    assert current.topics == (SEED_ID,)


async def test_an_invalid_schedule_is_refused_and_saves_nothing(
    world: World, follows: FollowService
) -> None:
    with pytest.raises(InvalidSchedule):
        await follow(follows, world.reader.id, "ukraine", schedule="whenever you like")
    assert await follows.of_member(world.reader.id) is None


async def test_members_follows_are_their_own(world: World, follows: FollowService) -> None:
    other = world.guild.add_member(world.env.create_user("other"))
    mine, _ = await follow(follows, world.reader.id, "ukraine")
    theirs, _ = await follow(follows, other.id, "second")
    assert mine.id != theirs.id
    assert (await follows.of_member(world.reader.id)) == mine
    assert (await follows.of_member(other.id)) == theirs
    assert theirs.topics == (SECOND_ID,)


# --- unfollow -------------------------------------------------------------------------------


async def test_unfollowing_one_of_two_topics_keeps_the_other(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    await follow(follows, user_id, SEED_ID, schedule="daily 07:30", timezone="Europe/Paris")
    both, _ = await follow(follows, user_id, SECOND_ID)

    left = await follows.unfollow(user_id, "ukraine", utc(2026, 1, 1, 13))

    assert isinstance(left, Unfollowed)
    assert left.topic == SEED_ID  # named by the briefing's id, whatever was typed
    assert left.remaining is not None
    assert left.remaining.id == both.id
    assert left.remaining.topics == (SECOND_ID,)
    assert (left.remaining.schedule, left.remaining.timezone) == ("daily 07:30", "Europe/Paris")
    assert left.remaining.next_due == both.next_due
    assert left.remaining.target == "dm"
    assert await follows.of_member(user_id) == left.remaining


async def test_unfollowing_the_last_topic_ends_the_follow(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    await follow(follows, user_id, "ukraine")

    left = await follows.unfollow(user_id, SEED_ID, NOON)

    assert left == Unfollowed(SEED_ID, None)
    assert await follows.of_member(user_id) is None
    assert await follows.explain(user_id, NOON) is None


async def test_unfollowing_a_topic_not_followed_is_refused(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    with pytest.raises(NotFollowing) as nothing:  # following nothing at all
        await follows.unfollow(user_id, "ukraine", NOON)
    assert nothing.value.params == {"topic": "ukraine"}

    await follow(follows, user_id, "ukraine")
    with pytest.raises(NotFollowing) as other:  # a real topic, not followed
        await follows.unfollow(user_id, SECOND_ID, NOON)
    assert other.value.params == {"topic": SECOND_ID}
    with pytest.raises(NotFollowing):  # no topic at all
        await follows.unfollow(user_id, "no-such-briefing", NOON)
    current = await follows.of_member(user_id)
    assert current is not None
    assert current.topics == (SEED_ID,)


# --- explain --------------------------------------------------------------------------------


async def test_explain_is_none_for_a_member_who_follows_nothing(
    world: World, follows: FollowService
) -> None:
    assert await follows.explain(world.reader.id, NOON) is None


async def test_explain_shows_the_next_due_time_then_the_runs(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    saved, _ = await follow(follows, user_id, "ukraine")

    before = await follows.explain(user_id, NOON)
    assert before is not None
    assert before.subscription == saved
    assert before.subscription.next_due == TOKYO_NINE
    assert before.runs == []
    assert before.waiting is not None
    assert before.waiting.changes

    report = await world.bot.digests.deliver_due(TOKYO_NINE)
    assert report.sent == 1
    assert posted(world.reader.user.dm_channel)  # the digest reached the member's DMs

    after = await follows.explain(user_id, TOKYO_NINE)
    assert after is not None
    assert after.subscription.next_due == TOKYO_NINE + dt.timedelta(days=1)
    assert [(run.outcome, run.due_at) for run in after.runs] == [("sent", TOKYO_NINE)]
    assert after.waiting is not None
    assert not after.waiting.changes


# --- a follow Discord refuses ---------------------------------------------------------------


async def test_a_refused_dm_pauses_the_follow_and_the_member_hears_of_it_once(
    world: World, follows: FollowService
) -> None:
    # simcord, like Discord, refuses a DM to a bot user with 50007.
    helper = world.env.create_user("helper", bot=True)
    await follow(follows, helper.id, "ukraine")
    assert await follows.unheard_pause(helper.id) is None  # active: nothing to tell

    report = await world.bot.digests.deliver_due(TOKYO_NINE)
    assert report.paused == 1

    paused = await follows.unheard_pause(helper.id)
    assert paused is not None
    assert (paused.channel_id, paused.target) == (helper.id, "dm")
    assert (paused.state, paused.failure_code) == ("failing", DMS_CLOSED)
    assert paused.failure_reason
    assert await follows.unheard_pause(helper.id) is None  # told once
    stored = await follows.of_member(helper.id)
    assert stored is not None
    assert stored.failure_notified

    explained = await follows.explain(helper.id, TOKYO_NINE)
    assert explained is not None
    assert [(run.outcome, run.code) for run in explained.runs] == [("paused", DMS_CLOSED)]


async def test_following_again_restarts_a_follow_discord_refused(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    saved, _ = await follow(follows, user_id, "ukraine")
    store = world.bot.store.subscriptions
    assert await store.mark_failing(saved, DMS_CLOSED, "Cannot send messages to this user", NOON)

    restarted, created = await follow(follows, user_id, SECOND_ID, now=utc(2026, 1, 2, 3))

    assert created is False
    assert restarted.state == "active"
    assert (restarted.failure_code, restarted.failure_notified) == (None, False)
    assert restarted.topics == (SEED_ID, SECOND_ID)
    assert restarted.next_due == utc(2026, 1, 3, 0)
    assert await follows.unheard_pause(user_id) is None


async def test_a_paused_follow_is_resumed_by_following_and_is_no_refusal_to_report(
    world: World, follows: FollowService
) -> None:
    user_id = world.reader.id
    await follow(follows, user_id, "ukraine")
    paused = await world.bot.store.subscriptions.pause(DM_GUILD, user_id, NOON)
    assert paused is not None
    assert paused.state == "paused"
    assert await follows.unheard_pause(user_id) is None  # not Discord's refusal

    resumed, _ = await follow(follows, user_id, "ukraine")
    assert resumed.state == "active"
    assert resumed.next_due == TOKYO_NINE


async def test_no_pause_to_report_for_a_member_who_follows_nothing(
    world: World, follows: FollowService
) -> None:
    assert await follows.unheard_pause(world.reader.id) is None
