"""Scheduled digests end to end: what is posted, exactly once, through faults and restarts.

simcord's clock does not move APScheduler 3, so every test calls the one public
coroutine, `bot.digests.deliver_due(now)`, with explicit times (the tick is an hour).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
import simcord
from pydantic import SecretStr

import bot.delivery.run as delivery_run_module
from bot.config import Settings
from bot.delivery.queue import Backoff
from bot.discord.client import BriefBot, create_bot
from bot.store.factory import store_for_url
from bot.store.interface import Store
from bot.store.sqlite import SqliteStore
from tests.support.digest_world import (
    EDITED_ANSWER,
    FIRST_ANSWER,
    FIRST_HEADING,
    SECTION_HEADINGS,
    World,
    digest_settings,
    fast_retries,
    field_names,
    message_text,
    posted,
    utc,
)

NINE = utc(2026, 1, 1, 9)
DAY = dt.timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, briefings_dir: Path) -> Settings:
    """Every delivery test runs on SQLite and on a real PostgreSQL."""
    chosen = digest_settings(tmp_path, briefings_dir)
    if request.param == "postgres":
        url = SecretStr(request.getfixturevalue("postgres_url"))
        chosen = chosen.model_copy(update={"database_url": url})
    return chosen


def other_process_store(settings: Settings) -> Store:
    """The same database as another process would open it."""
    url = settings.database_url
    return store_for_url(url.get_secret_value()) if url else SqliteStore(settings.database_path)


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    return fast_retries(create_bot(settings))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def digest_requests(env: simcord.Env, channel_id: int) -> list[simcord.HttpLogEntry]:
    return [
        r
        for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def test_first_digest_then_only_what_changed_exactly_once(world: World) -> None:
    subscription = await world.subscribe()
    assert subscription.next_due == NINE
    digests = world.bot.digests

    assert not await digests.deliver_due(NINE - dt.timedelta(seconds=1))
    assert posted(world.channel) == []

    first = await digests.deliver_due(NINE)
    assert (first.sent, first.messages, first.failed, first.claimed) == (1, 1, 0, 1)
    assert first.selection_seconds > 0
    [message] = posted(world.channel)
    assert message.content == "**Digest: what changed**"
    assert field_names(message) == [f"🆕 新規 · {heading}" for heading in SECTION_HEADINGS]
    assert message.embeds[-1].footer.text == "Read any briefing in full with /briefing show"
    [request] = digest_requests(world.env, world.channel.id)
    assert request.json is not None
    assert request.json["allowed_mentions"] == {"parse": []}
    assert request.json["enforce_nonce"] is True
    assert len(request.json["nonce"]) <= 25

    again = await digests.deliver_due(NINE)  # the same due time: nothing more
    assert not again
    assert len(posted(world.channel)) == 1

    unchanged = await digests.deliver_due(NINE + DAY)  # nothing changed: nothing posted
    assert (unchanged.sent, unchanged.unchanged, unchanged.claimed) == (0, 1, 0)
    assert len(posted(world.channel)) == 1
    after = await world.subscription()
    assert after is not None
    assert after.next_due == NINE + 2 * DAY  # the due time still advanced

    world.edit_seed(FIRST_ANSWER, EDITED_ANSWER)
    await world.reload()
    changed = await digests.deliver_due(NINE + 2 * DAY)
    assert changed.sent == 1
    latest = posted(world.channel)[-1]
    assert field_names(latest) == [f"✏️ 更新 · {FIRST_HEADING}"]
    assert EDITED_ANSWER in message_text(latest)
    assert FIRST_ANSWER not in message_text(latest)
    assert "https://www.jiji.com/" in message_text(latest)  # its first source link

    assert not await digests.deliver_due(NINE + 2 * DAY)
    assert len(posted(world.channel)) == 2
    assert len(digest_requests(world.env, world.channel.id)) == 2


async def test_removed_sections_are_listed_by_heading(world: World) -> None:
    await world.subscribe()
    await world.bot.digests.deliver_due(NINE)
    text = world.seed.read_text(encoding="utf-8")
    start = text.index("  - id: situation-in-ukraine")
    end = text.index("\ntakeaways:") if "\ntakeaways:" in text else len(text)
    world.seed.write_text(text[:start] + text[end:], encoding="utf-8")
    await world.reload()
    report = await world.bot.digests.deliver_due(NINE + DAY)
    assert report.sent == 1
    latest = posted(world.channel)[-1]
    assert field_names(latest) == ["🗑️ 削除"]
    assert f"~~{SECTION_HEADINGS[2]}~~" in message_text(latest)


async def test_full_mode_posts_a_summary_every_time(world: World) -> None:
    await world.subscribe(mode="full")
    for day in range(3):
        assert (await world.bot.digests.deliver_due(NINE + day * DAY)).sent == 1
    messages = posted(world.channel)
    assert len(messages) == 3
    assert {m.content for m in messages} == {"**Digest**"}
    assert field_names(messages[0]) == [f"{n}. {h}" for n, h in enumerate(SECTION_HEADINGS, 1)]
    assert "<t:" in (messages[0].embeds[0].description or "")  # the updated date


async def test_a_long_digest_becomes_several_accepted_messages(world: World) -> None:
    long_answer = "This answer is long on purpose. " * 30
    sections = "\n".join(
        f"  - id: part-{n}\n    heading: Part {n} of a long briefing\n"
        f"    answer: {long_answer}\n"
        f"    sources:\n      - name: Source {n}\n        url: https://example.com/{n}\n"
        for n in range(40)
    )
    (world.bot.settings.briefings_dir / "long-read.yaml").write_text(
        f"title: A long read\nsummary: Many sections.\nupdated: 2026-01-01\nsections:\n{sections}",
        encoding="utf-8",
    )
    await world.reload()
    await world.subscribe(topics="long-read")
    report = await world.bot.digests.deliver_due(NINE)
    messages = posted(world.channel)
    assert report.sent == 1
    assert report.messages == len(messages) > 1
    text = "\n".join(message_text(m) for m in messages)
    for n in range(40):
        assert f"Part {n} of a long briefing" in text
        assert f"https://example.com/{n})" in text
    assert messages[-1].embeds[-1].footer.text == (
        f"Read any briefing in full with /briefing show · Page {len(messages)}/{len(messages)}"
    )
    nonces = {r.json["nonce"] for r in digest_requests(world.env, world.channel.id) if r.json}
    assert len(nonces) == len(messages)


async def test_missing_permissions_pause_the_subscription_and_tell_the_guild_once(
    world: World,
) -> None:
    await world.use_system_channel()
    other = world.guild.create_text_channel("more-digests")
    await world.subscribe()
    await world.subscribe(other)
    path = f"/channels/{world.channel.id}/messages"
    world.env.inject_error(
        "POST", path, status=403, code=50013, message="Missing Permissions", times=None
    )

    report = await world.bot.digests.deliver_due(NINE)
    assert (report.sent, report.failed, report.paused) == (1, 1, 1)
    failing = await world.subscription()
    assert failing is not None
    assert (failing.state, failing.failure_code) == ("failing", 50013)
    assert failing.failure_reason == "Missing Permissions (403, 50013)"
    [notice] = posted(world.system)
    assert f"<#{world.channel.id}>" in notice.content
    assert "I may not post there (Send Messages or Embed Links)" in notice.content
    assert "/digest resume" in notice.content
    assert len(posted(other)) == 1

    # Failing subscriptions are not due; nothing is retried and nobody is told twice.
    assert (await world.bot.digests.deliver_due(NINE + DAY)).failed == 0
    assert len(posted(world.system)) == 1
    assert len(digest_requests(world.env, world.channel.id)) == 1


async def test_a_channel_the_bot_cannot_see_fails_with_missing_access(world: World) -> None:
    await world.subscribe()
    world.env.inject_error(
        "POST",
        f"/channels/{world.channel.id}/messages",
        status=403,
        code=50001,
        message="Missing Access",
    )
    report = await world.bot.digests.deliver_due(NINE)
    assert report.paused == 1
    failing = await world.subscription()
    assert failing is not None
    assert (failing.state, failing.failure_code) == ("failing", 50001)
    assert posted(world.system) == []  # no system channel: nobody to tell, nothing fails
    # Once the permission is fixed, resuming retries the same digest, once.
    await world.bot.digests.resume(world.guild.id, world.channel.id, NINE)
    report = await world.bot.digests.deliver_due(NINE + dt.timedelta(minutes=1))
    assert report.sent == 1
    [message] = posted(world.channel)
    assert len(field_names(message)) == 3


async def test_an_unknown_channel_removes_the_subscription(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.subscribe()
    world.env.inject_error(
        "POST",
        f"/channels/{world.channel.id}/messages",
        status=404,
        code=10003,
        message="Unknown Channel",
    )
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        report = await world.bot.digests.deliver_due(NINE)
    assert (report.failed, report.removed) == (1, 1)
    assert await world.subscription() is None
    assert await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id) == []
    assert f"channel {world.channel.id} of guild {world.guild.id} is gone" in caplog.text
    assert "subscription is removed" in caplog.text


async def test_server_errors_are_retried_then_left_for_the_next_tick(world: World) -> None:
    await world.subscribe()
    path = f"/channels/{world.channel.id}/messages"
    world.env.inject_error("POST", path, status=500, times=None)

    report = await world.bot.digests.deliver_due(NINE)
    assert (report.sent, report.failed) == (0, 1)
    assert len(digest_requests(world.env, world.channel.id)) == 3  # max_attempts
    [row] = await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error is not None
    assert "500" in row.last_error
    [listed] = await world.bot.digests.subscriptions(world.guild.id)
    assert listed.state == "active"
    assert listed.retry_error == row.last_error

    # The next tick retries (not dropped); this time Discord is back.
    world.env.backend.faults.clear()
    later = NINE + dt.timedelta(minutes=1)
    report = await world.bot.digests.deliver_due(later)
    assert (report.sent, report.failed) == (1, 0)
    [message] = posted(world.channel)
    [row] = await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id)
    assert (row.status, row.message_ids, row.due_at) == ("sent", (message.id,), NINE)


async def test_a_crash_after_the_ledger_write_then_a_restart_posts_exactly_once(
    world: World, settings: Settings
) -> None:
    first = world.bot
    first.digests.delivery.backoff = Backoff(base=30)
    await world.subscribe()
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=500)
    run = asyncio.create_task(first.digests.deliver_due(NINE))
    for _ in range(500):
        if first.digests.delivery.retries:
            break
        await asyncio.sleep(0.01)
    run.cancel()  # the process dies while waiting to retry
    with pytest.raises(asyncio.CancelledError):
        await run
    [pending] = await first.store.ledger.of_channel(world.guild.id, world.channel.id)
    assert (pending.status, pending.message_ids) == ("pending", ())
    assert posted(world.channel) == []

    # The dead process's locks go with it (its delivery leadership included).
    await first.digests.stop()
    await first.store.close()
    second = fast_retries(create_bot(settings))
    await world.env.restart_bot(second)
    await second.digests.drain()  # the start-up catch-up retries the pending row

    [message] = posted(world.channel)
    assert len(field_names(message)) == 3
    [row] = await second.store.ledger.of_channel(world.guild.id, world.channel.id)
    assert (row.status, row.message_ids) == ("sent", (message.id,))
    assert not await second.digests.deliver_due(NINE)
    assert len(posted(world.channel)) == 1


async def test_digests_missed_while_down_are_caught_up_once_or_skipped(
    world: World, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    hourly = world.guild.create_text_channel("hourly")
    daily = world.guild.create_text_channel("daily")
    await world.subscribe(hourly, schedule="0 * * * *", mode="full")
    await world.subscribe(daily, schedule="daily 00:30", mode="full")
    old = world.bot
    await old.digests.stop()  # the bot goes down at 00:00 ...
    await world.env.advance_time(8 * 3600 + 600)  # ... and is back at 08:10
    new = create_bot(settings)
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        await world.env.restart_bot(new)
        await old.store.close()
        await new.digests.drain()

    # Late by at most catch_up_hours (6) plus one tick (an hour in these tests) is fine.
    assert new.digests.window == dt.timedelta(hours=7)
    # Hourly: 02:00 to 08:00 are within the window: one digest, for 08:00; 01:00 skipped.
    assert len(posted(hourly)) == 1
    [row] = await new.store.ledger.of_channel(world.guild.id, hourly.id)
    assert row.due_at == utc(2026, 1, 1, 8)
    # Daily 00:30 is 7 h 40 min late: skipped, logged, and remembered for the list.
    assert posted(daily) == []
    skipped = await world.subscription(daily)
    assert skipped is not None
    assert skipped.missed_from == utc(2026, 1, 1, 0, 30)
    assert skipped.next_due == utc(2026, 1, 2, 0, 30)
    assert "more than" in caplog.text
    hourly_sub = await world.subscription(hourly)
    assert hourly_sub is not None
    assert hourly_sub.missed_from == utc(2026, 1, 1, 1)
    assert hourly_sub.next_due == utc(2026, 1, 1, 9)

    # Start-up again at the same moment: nothing is sent twice.
    assert not await new.digests.deliver_due(new.clock())
    assert len(posted(hourly)) == 1


async def test_daylight_saving_in_new_york(world: World) -> None:
    spring = world.guild.create_text_channel("spring")
    autumn = world.guild.create_text_channel("autumn")
    await world.subscribe(spring, schedule="daily 02:30", timezone="America/New_York", mode="full")
    await world.subscribe(autumn, schedule="daily 01:30", timezone="America/New_York", mode="full")
    digests = world.bot.digests
    # Jump ahead to March 7 (the missed January digests are skipped as too late).
    await digests.deliver_due(utc(2026, 3, 7, 7, 30))
    spring_sub = await world.subscription(spring)
    assert spring_sub is not None
    # 2026-03-08 02:30 does not exist in New York: it runs at 03:30 EDT = 07:30 UTC.
    assert spring_sub.next_due == utc(2026, 3, 8, 7, 30)
    sent_before = len(posted(spring))
    await digests.deliver_due(utc(2026, 3, 8, 7, 29))
    assert len(posted(spring)) == sent_before
    await digests.deliver_due(utc(2026, 3, 8, 7, 30))
    assert len(posted(spring)) == sent_before + 1
    spring_sub = await world.subscription(spring)
    assert spring_sub is not None
    assert spring_sub.next_due == utc(2026, 3, 9, 6, 30)  # 02:30 EDT

    # 2026-11-01 01:30 happens twice in New York: one digest, at the first (EDT).
    await digests.deliver_due(utc(2026, 10, 31, 5, 30))
    autumn_sub = await world.subscription(autumn)
    assert autumn_sub is not None
    assert autumn_sub.next_due == utc(2026, 11, 1, 5, 30)
    before = len(posted(autumn))
    await digests.deliver_due(utc(2026, 11, 1, 5, 29))
    assert len(posted(autumn)) == before
    await digests.deliver_due(utc(2026, 11, 1, 5, 30))
    assert len(posted(autumn)) == before + 1
    await digests.deliver_due(utc(2026, 11, 1, 6, 30))  # 01:30 again, now EST: nothing
    assert len(posted(autumn)) == before + 1
    autumn_sub = await world.subscription(autumn)
    assert autumn_sub is not None
    assert autumn_sub.next_due == utc(2026, 11, 2, 6, 30)  # 01:30 EST the next day


async def test_shutdown_leaves_unsent_digests_pending_for_the_next_start(
    world: World, settings: Settings
) -> None:
    channels = [world.guild.create_text_channel(f"c{n}") for n in range(6)]
    for channel in channels:
        await world.subscribe(channel)
    world.bot.digests.delivery.rate = 5  # slow enough to stop in the middle
    run = asyncio.create_task(world.bot.digests.deliver_due(NINE))
    await asyncio.sleep(0.3)
    await world.bot.digests.stop()
    report = await run
    sent_first = sum(len(posted(c)) for c in channels)
    assert 0 < sent_first < len(channels)
    assert report.sent == sent_first
    assert report.failed == 0

    second = create_bot(settings)
    old = world.bot
    await world.env.restart_bot(second)
    await old.store.close()
    await second.digests.drain()
    assert [len(posted(c)) for c in channels] == [1] * len(channels)


@pytest.fixture
def virtual_scheduler_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, simcord.Env]:
    """Make APScheduler (and the bot's wake-up arithmetic) read simcord's virtual clock."""
    import apscheduler.executors.base as executor_base
    import apscheduler.schedulers.base as scheduler_base
    import apscheduler.triggers.interval as interval_trigger

    import bot.delivery.scheduler

    holder: dict[str, simcord.Env] = {}

    class VirtualDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> VirtualDatetime:
            current = holder["env"].now()
            moment = current.astimezone(tz) if tz else current.astimezone().replace(tzinfo=None)
            return moment  # type: ignore[return-value]

    for module in (scheduler_base, executor_base, interval_trigger):
        monkeypatch.setattr(module, "datetime", VirtualDatetime)
    monkeypatch.setattr(bot.delivery.scheduler, "scheduler_now", lambda: holder["env"].now())
    return holder


async def test_the_scheduler_wakes_the_bot_at_each_due_time(
    settings: Settings, virtual_scheduler_clock: dict[str, simcord.Env]
) -> None:
    bot = fast_retries(create_bot(settings))
    env = simcord.Env(bot, shard_count=1)
    virtual_scheduler_clock["env"] = env
    await env.start()
    try:
        world = World(env)
        soon = world.guild.create_text_channel("soon")
        later = world.guild.create_text_channel("later")
        # Both are due before the next hourly tick: the wake-up job fires for each.
        for channel, schedule in ((soon, "daily 00:20"), (later, "daily 00:45")):
            await world.staff.slash(
                world.channel, "digest subscribe", channel=channel, schedule=schedule, mode="full"
            )
        await env.advance_time(19 * 60)
        assert posted(soon) == []
        await env.advance_time(2 * 60)  # 00:21
        assert len(posted(soon)) == 1
        assert posted(later) == []
        await env.advance_time(25 * 60)  # 00:46
        assert len(posted(later)) == 1
        await env.advance_time(15 * 60)  # 01:01: the hourly tick runs; nothing new is due
        assert (len(posted(soon)), len(posted(later))) == (1, 1)
        [row] = await bot.store.ledger.of_channel(world.guild.id, soon.id)
        assert row.due_at == utc(2026, 1, 1, 0, 20)
    finally:
        await env.shutdown()
        await bot.digests.stop()
        await bot.store.close()
    assert env.errors == []


async def test_many_due_digests_go_out_in_batches_each_exactly_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_run_module, "CLAIM_BATCH", 2)
    channels = [world.guild.create_text_channel(f"batch-{n}") for n in range(5)]
    for channel in channels:
        await world.subscribe(channel)
    claims: list[int] = []
    claim = world.bot.store.ledger.claim_scheduled

    async def counting_claim(batch: Any, now: dt.datetime) -> Any:
        claims.append(len(batch))
        return await claim(batch, now)

    monkeypatch.setattr(world.bot.store.ledger, "claim_scheduled", counting_claim)
    report = await world.bot.digests.deliver_due(NINE)

    assert claims == [2, 2, 1]
    assert (report.claimed, report.sent, report.failed) == (5, 5, 0)
    assert report.first_sends_after is not None
    assert 0 < report.first_sends_after <= report.selection_seconds
    assert [len(posted(channel)) for channel in channels] == [1] * 5
    assert not await world.bot.digests.deliver_due(NINE)
    assert [len(posted(channel)) for channel in channels] == [1] * 5


async def test_a_manual_send_between_two_batches_is_not_posted_again_by_the_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run reads every due subscription first, then plans and claims them in batches
    # of one; `/digest send` for the second channel lands before the run plans it.
    monkeypatch.setattr(delivery_run_module, "CLAIM_BATCH", 1)
    first, second = (world.guild.create_text_channel(f"race-{n}") for n in range(2))
    for channel in (first, second):
        await world.subscribe(channel)
    planner = world.bot.digests.run._planner
    plan = planner.plan_batch
    manual: list[Any] = []

    async def send_the_other_then_plan(batch: Any, now: dt.datetime, *rest: Any) -> Any:
        if batch[0].channel_id == second.id and not manual:
            manual.append(await world.bot.digests.send_now(world.guild.id, second.id, now))
        return await plan(batch, now, *rest)

    monkeypatch.setattr(planner, "plan_batch", send_the_other_then_plan)
    # Half a minute late, so the manual digest's row (due now) and the scheduled one
    # (due at nine) are different rows: only the compare-and-set can tell them apart.
    late = NINE + dt.timedelta(seconds=30)
    report = await world.bot.digests.deliver_due(late)

    assert manual[0].status == "sent"
    assert [len(posted(channel)) for channel in (first, second)] == [1, 1]
    assert (report.sent, report.claimed) == (1, 1)
    # The second channel's due time was not claimed; the next run finds nothing new.
    again = await world.bot.digests.deliver_due(late)
    assert again.unchanged == 1
    assert [len(posted(channel)) for channel in (first, second)] == [1, 1]


async def test_a_standby_sends_nothing_until_the_leader_steps_down(
    world: World, settings: Settings
) -> None:
    digests = world.bot.digests
    await world.subscribe()
    await digests.stop()  # steps down ...
    other_store = other_process_store(settings)
    await other_store.open()
    other_process = other_store.leadership
    assert await other_process.try_lead()  # ... and another process leads
    await digests.start()
    await digests.drain()
    assert not digests.leading
    assert not await digests.deliver_due(NINE)  # a standby claims nothing
    assert await world.bot.store.ledger.of_channel(world.guild.id, world.channel.id) == []

    await world.env.advance_time(9 * 3600)
    await other_process.step_down()
    await digests.scheduler.contend()  # what the standby's retry job does
    await digests.drain()
    assert digests.leading
    assert len(posted(world.channel)) == 1  # it took over and delivered what was due
    await other_store.close()


async def test_a_large_run_gives_the_memory_it_freed_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bot is wired to glibc's malloc_trim; count its calls instead of trimming.
    released: list[int] = []
    monkeypatch.setattr(world.bot.digests.run, "_release_memory", lambda: released.append(1))
    monkeypatch.setattr(delivery_run_module, "LARGE_RUN", 2)
    second = world.guild.create_text_channel("more-digests")
    await world.subscribe()

    small = await world.bot.digests.deliver_due(NINE)
    assert (small.claimed, released) == (1, [])

    await world.subscribe(second)
    world.edit_seed(FIRST_ANSWER, EDITED_ANSWER)
    await world.reload()
    large = await world.bot.digests.deliver_due(NINE + DAY)
    assert (large.claimed, large.sent, released) == (2, 2, [1])


def test_the_bot_wires_delivery_to_the_heap_trim(settings: Settings) -> None:
    from bot.discord.heap import return_freed_memory

    bot = create_bot(settings)
    assert bot.digests.run._release_memory is return_freed_memory
