"""The store on SQLite and on PostgreSQL: guild isolation, the delivery ledger, claims.

Every test runs against both implementations (the `repo` fixture), so both keep the
same semantics. What only one of them has is tested in `test_sqlite_database.py` and
`test_postgres_database.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from bot.briefings.library import load_library
from bot.digests.records import DigestClaim, NewSubscription, Subscription
from bot.store.factory import store_for_url
from bot.store.interface import ClusterProcess, Store
from bot.store.sqlite.database import migrations as sqlite_migrations
from tests.conftest import REAL_BRIEFINGS, SEED_BRIEFING
from tests.store.builders import (
    CHANNEL_A,
    CHANNEL_B,
    GUILD_A,
    GUILD_B,
    NOW,
    blob,
    claim,
    subscribe,
)

# --- Opening and section history --------------------------------------------------------


async def test_a_store_reopens_with_its_data_and_applies_nothing_again(
    repo: Store, store_url: str
) -> None:
    version = await repo.schema_version()
    assert version == max(number for number, _ in sqlite_migrations())
    mine = await subscribe(repo)
    await repo.state.remember_command_tree("global", "abc", NOW)
    await repo.close()
    await repo.open()  # closing and opening the same object again works
    reopened = store_for_url(store_url)
    await reopened.open()
    try:
        assert await reopened.schema_version() == version
        assert await reopened.subscriptions.in_channel(GUILD_A, CHANNEL_A) == mine
        assert await reopened.state.command_tree_hash("global") == "abc"
        assert await reopened.state.command_tree_hash("guild:1") is None
    finally:
        await reopened.close()


async def test_the_command_tree_hash_is_replaced_per_scope(repo: Store) -> None:
    await repo.state.remember_command_tree("global", "first", NOW)
    await repo.state.remember_command_tree("global", "second", NOW + dt.timedelta(hours=1))
    await repo.state.remember_command_tree("123", "guild", NOW)
    assert await repo.state.command_tree_hash("global") == "second"
    assert await repo.state.command_tree_hash("123") == "guild"


async def test_versions_can_be_recorded_for_some_briefings_only(
    repo: Store, tmp_path: Path
) -> None:
    before, _ = load_library([REAL_BRIEFINGS], now=NOW)
    assert await repo.sections.record_versions(before, NOW) > 0
    edited = tmp_path / "briefings"
    edited.mkdir()
    seed = SEED_BRIEFING.read_text(encoding="utf-8")
    first_answer = "米露間の接触は活発化、プーチン大統領が立場説明へ。"
    assert first_answer in seed
    (edited / SEED_BRIEFING.name).write_text(
        seed.replace(first_answer, "答えが変わった。", 1), encoding="utf-8"
    )
    after, _ = load_library([edited], now=NOW)
    later = NOW + dt.timedelta(days=1)

    assert await repo.sections.record_versions(after, later, only=()) == 0
    assert await repo.sections.record_versions(after, later, only=[SEED_BRIEFING.stem]) == 1
    briefing = next(iter(after))
    changed, unchanged = briefing.sections[0], briefing.sections[1]
    assert await repo.sections.first_seen(briefing.id, changed.id, changed.content_hash) == later
    assert await repo.sections.first_seen(briefing.id, unchanged.id, unchanged.content_hash) == NOW


async def test_section_versions_are_recorded_once_per_content_hash(repo: Store) -> None:
    library, _ = load_library([REAL_BRIEFINGS], now=NOW)
    sections = sum(len(b.sections) for b in library)
    assert await repo.sections.record_versions(library, NOW) == sections
    assert await repo.sections.record_versions(library, NOW + dt.timedelta(hours=1)) == 0
    briefing = next(iter(library))
    section = briefing.sections[0]
    seen = await repo.sections.first_seen(briefing.id, section.id, section.content_hash)
    assert seen == NOW
    assert await repo.sections.first_seen(briefing.id, section.id, "other") is None


# --- Subscriptions ---------------------------------------------------------------------


async def test_subscribing_again_updates_the_same_subscription(repo: Store) -> None:
    first, created = await repo.subscriptions.save(
        NewSubscription(
            GUILD_A, CHANNEL_A, ("a", "b"), "daily 09:00", "Asia/Tokyo", "changes", "en", NOW, 7
        ),
        NOW,
    )
    assert created
    assert first.topics == ("a", "b")
    assert first.state == "active"
    later = NOW + dt.timedelta(days=2)
    second, created = await repo.subscriptions.save(
        NewSubscription(
            GUILD_A, CHANNEL_A, None, "weekly mon 08:00", "UTC", "full", "ja", later, 8
        ),
        NOW,
    )
    assert not created
    assert second.id == first.id
    assert (second.topics, second.schedule, second.timezone, second.mode, second.language) == (
        None,
        "weekly mon 08:00",
        "UTC",
        "full",
        "ja",
    )
    assert second.next_due == NOW + dt.timedelta(days=2)
    assert [s.id for s in await repo.subscriptions.of_guild(GUILD_A)] == [first.id]


async def test_bulk_added_subscriptions_read_back_like_saved_ones(repo: Store) -> None:
    entries = [
        NewSubscription(
            guild_id=GUILD_A if number % 2 else GUILD_B,
            channel_id=100 + number,
            topics=None if number == 0 else (f"topic-{number}", "shared"),
            schedule="weekdays 07:30",
            timezone="Europe/London",
            mode="full" if number == 3 else "changes",
            language="ja",
            next_due=NOW + dt.timedelta(hours=number),
            created_by=number,
        )
        for number in range(5)
    ]
    assert await repo.subscriptions.add_many(entries, NOW) == 5

    mine = await repo.subscriptions.of_guild(GUILD_A)
    assert [s.channel_id for s in mine] == [101, 103]
    third = mine[1]
    assert (third.topics, third.schedule, third.timezone, third.mode, third.language) == (
        ("topic-3", "shared"),
        "weekdays 07:30",
        "Europe/London",
        "full",
        "ja",
    )
    assert (third.state, third.next_due) == ("active", NOW + dt.timedelta(hours=3))
    everything = await repo.subscriptions.in_channel(GUILD_B, 100)
    assert everything is not None
    assert everything.topics is None
    assert [s.channel_id for s in await repo.subscriptions.due(NOW + dt.timedelta(hours=2))] == [
        100,
        101,
        102,
    ]


async def test_bulk_added_subscriptions_keep_where_and_how_they_post(repo: Store) -> None:
    forum = NewSubscription(
        GUILD_A,
        CHANNEL_A,
        ("a",),
        "daily 09:00",
        "UTC",
        "changes",
        "en",
        NOW,
        7,
        mention_role_id=55,
        target="forum",
        forum_tags=(3, 1),
    )
    announced = NewSubscription(
        GUILD_A, CHANNEL_B, None, "daily 09:00", "UTC", "full", "ja", NOW, publish=True
    )
    assert await repo.subscriptions.add_many([forum, announced], NOW) == 2

    stored = {s.channel_id: s for s in await repo.subscriptions.of_guild(GUILD_A)}
    posted = stored[CHANNEL_A]
    assert (posted.target, posted.forum_tags, posted.mention_role_id, posted.publish) == (
        "forum",
        (3, 1),
        55,
        False,
    )
    crossposted = stored[CHANNEL_B]
    assert (crossposted.target, crossposted.forum_tags, crossposted.mention_role_id) == (
        "channel",
        (),
        None,
    )
    assert crossposted.publish


async def test_bulk_adding_never_overwrites_an_existing_channel(repo: Store) -> None:
    mine = await subscribe(repo, GUILD_A, CHANNEL_A, schedule="daily 09:00")
    intruder = NewSubscription(
        GUILD_B, CHANNEL_A, None, "daily 01:00", "UTC", "full", "en", NOW, created_by=9
    )
    fresh = NewSubscription(GUILD_B, CHANNEL_B, None, "daily 01:00", "UTC", "full", "en", NOW)

    assert await repo.subscriptions.add_many([intruder, fresh], NOW) == 1
    assert await repo.subscriptions.add_many([intruder, fresh], NOW) == 0
    assert await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A) == mine
    assert await repo.subscriptions.in_channel(GUILD_B, CHANNEL_A) is None
    assert [s.channel_id for s in await repo.subscriptions.of_guild(GUILD_B)] == [CHANNEL_B]


async def test_the_same_channel_twice_in_one_bulk_batch_is_added_once(repo: Store) -> None:
    first = NewSubscription(GUILD_A, CHANNEL_A, None, "daily 01:00", "UTC", "full", "en", NOW)
    second = NewSubscription(GUILD_B, CHANNEL_A, None, "daily 02:00", "UTC", "changes", "ja", NOW)
    assert await repo.subscriptions.add_many([first, second], NOW) == 1
    assert await repo.subscriptions.add_many([], NOW) == 0
    stored = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert stored is not None
    assert (stored.schedule, stored.mode) == ("daily 01:00", "full")


async def test_resubscribing_clears_a_failure_but_keeps_a_pause(repo: Store) -> None:
    sub = await subscribe(repo)
    assert await repo.subscriptions.mark_failing(sub, 50013, "Missing Permissions", NOW)
    failing = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert failing is not None
    assert (failing.state, failing.failure_code, failing.failure_reason) == (
        "failing",
        50013,
        "Missing Permissions",
    )
    again = await subscribe(repo)
    assert (again.state, again.failure_code, again.failure_reason) == ("active", None, None)
    await repo.subscriptions.pause(GUILD_A, CHANNEL_A, NOW)
    assert (await subscribe(repo)).state == "paused"


async def test_pause_and_resume(repo: Store) -> None:
    await subscribe(repo)
    paused = await repo.subscriptions.pause(GUILD_A, CHANNEL_A, NOW)
    assert paused is not None
    assert paused.state == "paused"
    assert await repo.subscriptions.due(NOW) == []
    assert await repo.subscriptions.earliest_due() is None
    later = NOW + dt.timedelta(days=3)
    resumed = await repo.subscriptions.resume(GUILD_A, CHANNEL_A, later, NOW)
    assert resumed is not None
    assert (resumed.state, resumed.next_due) == ("active", later)
    assert await repo.subscriptions.earliest_due() == later


async def test_no_guild_can_see_or_touch_another_guilds_subscriptions(repo: Store) -> None:
    mine = await subscribe(repo, GUILD_A, CHANNEL_A)
    await repo.ledger.claim_scheduled([claim(mine, NOW)], NOW)

    assert await repo.subscriptions.of_guild(GUILD_B) == []
    assert await repo.subscriptions.in_channel(GUILD_B, CHANNEL_A) is None
    assert await repo.ledger.of_channel(GUILD_B, CHANNEL_A) == []
    assert not await repo.subscriptions.delete(GUILD_B, CHANNEL_A)
    assert await repo.subscriptions.pause(GUILD_B, CHANNEL_A, NOW) is None
    assert await repo.subscriptions.resume(GUILD_B, CHANNEL_A, NOW, NOW) is None
    with pytest.raises(PermissionError):
        await subscribe(repo, GUILD_B, CHANNEL_A, schedule="weekly sun 01:00")
    # A subscription object forged with another guild's id changes nothing either.
    forged = Subscription(**{**mine.__dict__, "guild_id": GUILD_B})
    assert not await repo.subscriptions.mark_failing(forged, 50013, "x", NOW)
    assert not await repo.subscriptions.remove(forged)
    await repo.ledger.mark_sent(
        forged, (await repo.ledger.of_channel(GUILD_A, CHANNEL_A))[0], [1], 1, NOW
    )

    after = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert after is not None
    # Only the guild's own claim moved it: a new due time and one more claim version.
    assert after == Subscription(
        **{**mine.__dict__, "next_due": after.next_due, "claim_version": mine.claim_version + 1}
    )
    assert after.schedule == "daily 09:00"
    assert after.snapshot_hash is None
    assert [s.channel_id for s in await repo.subscriptions.of_guild(GUILD_A)] == [CHANNEL_A]
    [row] = await repo.ledger.of_channel(GUILD_A, CHANNEL_A)
    assert (row.status, row.message_ids) == ("pending", ())

    theirs = await subscribe(repo, GUILD_B, CHANNEL_B)
    assert [s.id for s in await repo.subscriptions.of_guild(GUILD_B)] == [theirs.id]
    assert await repo.subscriptions.delete(GUILD_A, CHANNEL_A)
    assert [s.id for s in await repo.subscriptions.of_guild(GUILD_B)] == [theirs.id]


# --- The delivery ledger -----------------------------------------------------------------


async def test_a_claim_writes_a_pending_row_and_moves_the_due_time(repo: Store) -> None:
    sub = await subscribe(repo)
    assert [s.id for s in await repo.subscriptions.due(NOW)] == [sub.id]
    assert await repo.subscriptions.due(NOW - dt.timedelta(seconds=1)) == []

    written = await repo.ledger.claim_scheduled([claim(sub, NOW, messages=2)], NOW)
    assert [(d.subscription_id, d.due_at, d.status, d.message_count) for d in written] == [
        (sub.id, NOW, "pending", 2)
    ]
    moved = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert moved is not None
    assert moved.next_due == NOW + dt.timedelta(days=1)
    assert await repo.ledger.blobs(["hash-payload", "hash-snapshot", "nope"]) == {
        "hash-payload": "payload",
        "hash-snapshot": "snapshot",
    }
    [(listed, row)] = await repo.ledger.unfinished()
    assert (listed.id, row.due_at, row.status) == (sub.id, NOW, "pending")


async def test_one_due_time_is_never_claimed_twice(repo: Store) -> None:
    sub = await subscribe(repo)
    first = await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    # The same (now stale) subscription read before the first claim: nothing happens.
    second = await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    assert len(first) == 1
    assert second == []
    assert len(await repo.ledger.of_channel(GUILD_A, CHANNEL_A)) == 1
    # Even a claim that passes the due-time check cannot write a second row for one due time.
    fresh = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert fresh is not None
    rogue = DigestClaim(fresh, fresh.next_due, NOW, blob("other"), blob("snapshot"), 1)
    assert await repo.ledger.claim_scheduled([rogue], NOW) == []
    [row] = await repo.ledger.of_channel(GUILD_A, CHANNEL_A)
    assert row.payload_hash == "hash-payload"


async def test_a_claim_composed_before_another_posted_is_refused(repo: Store) -> None:
    sub = await subscribe(repo)
    later = NOW + dt.timedelta(seconds=30)
    # `/digest send` claims first, from the same state the scheduled run read.
    manual = await repo.ledger.claim_manual(sub, later, blob("m"), blob("snapshot"), 1, later)
    assert manual is not None
    assert await repo.ledger.claim_scheduled([claim(sub, NOW)], later) == []
    current = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert current is not None
    assert (current.next_due, current.claim_version) == (NOW, sub.claim_version + 1)
    # The other way round: a manual send composed before a scheduled claim posts nothing.
    assert await repo.ledger.claim_manual(sub, later, blob("m2"), blob("s2"), 1, later) is None
    assert len(await repo.ledger.of_channel(GUILD_A, CHANNEL_A)) == 1
    # Claims that only move the due time ignore the version and bump nothing.
    assert await repo.ledger.claim_scheduled([claim(current, None)], later) == []
    moved = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert moved is not None
    assert (moved.next_due, moved.claim_version) == (NOW + dt.timedelta(days=1), 1)


async def test_many_claims_in_one_call_each_apply_once(repo: Store) -> None:
    subs = [await subscribe(repo, GUILD_A, 500 + n) for n in range(4)]
    stale = subs[3]
    await repo.ledger.claim_scheduled([claim(stale, None)], NOW)  # its due time moved on
    batch = [
        claim(subs[0], NOW, payload="shared"),
        claim(subs[1], NOW, payload="shared"),
        claim(subs[0], NOW, payload="again"),  # the same due time twice: the first wins
        claim(subs[2], None),  # advances without a digest
        claim(stale, NOW),
        DigestClaim(stale, NOW + dt.timedelta(days=5)),  # read before it moved: no effect
    ]
    written = await repo.ledger.claim_scheduled(batch, NOW)

    assert [(row.subscription_id, row.payload_hash) for row in written] == [
        (subs[0].id, "hash-shared"),
        (subs[1].id, "hash-shared"),
    ]
    for sub in subs[:3]:
        moved = await repo.subscriptions.in_channel(GUILD_A, sub.channel_id)
        assert moved is not None
        assert moved.next_due == NOW + dt.timedelta(days=1)
    assert await repo.ledger.of_channel(GUILD_A, subs[2].channel_id) == []
    assert await repo.ledger.of_channel(GUILD_A, stale.channel_id) == []
    moved_once = await repo.subscriptions.in_channel(GUILD_A, stale.channel_id)
    assert moved_once is not None
    assert moved_once.next_due == NOW + dt.timedelta(days=1)
    assert await repo.ledger.blobs(["hash-again"]) == {}


async def test_two_claims_of_one_subscription_in_a_call_apply_in_order(repo: Store) -> None:
    sub = await subscribe(repo)
    # Both read the same due time: the first moves it, so the second no longer applies.
    batch = [DigestClaim(sub, NOW + dt.timedelta(days=n)) for n in (1, 2, 3)]
    assert await repo.ledger.claim_scheduled(batch, NOW) == []
    moved = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert moved is not None
    assert (moved.next_due, moved.claim_version) == (NOW + dt.timedelta(days=1), 0)
    # One that posts applies before one that only moves the due time, and bumps the version.
    moved_on = DigestClaim(moved, NOW + dt.timedelta(days=9))
    batch = [moved_on, claim(moved, NOW + dt.timedelta(days=1), payload="posted")]
    [row] = await repo.ledger.claim_scheduled(batch, NOW + dt.timedelta(days=1))
    assert row.payload_hash == "hash-posted"
    after = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert after is not None
    assert after.claim_version == moved.claim_version + 1
    assert after.next_due == NOW + dt.timedelta(days=2)


async def test_a_claim_without_its_digest_is_refused_before_anything_changes(
    repo: Store,
) -> None:
    sub = await subscribe(repo)
    incomplete = DigestClaim(sub, NOW + dt.timedelta(days=1), due_at=NOW, message_count=1)
    with pytest.raises(ValueError, match="payload"):
        await repo.ledger.claim_scheduled([claim(sub, None), incomplete], NOW)
    unchanged = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert unchanged == sub


async def test_concurrent_claims_of_one_due_time_write_one_row(repo: Store) -> None:
    sub = await subscribe(repo)
    results = await asyncio.gather(
        *(repo.ledger.claim_scheduled([claim(sub, NOW)], NOW) for _ in range(10))
    )
    assert sum(len(r) for r in results) == 1


async def test_a_subscription_with_an_unfinished_row_is_not_due_again(repo: Store) -> None:
    sub = await subscribe(repo)
    [row] = await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    later = NOW + dt.timedelta(days=2)
    assert await repo.subscriptions.due(later) == []
    await repo.ledger.record_failure(sub.id, row.due_at, [], 5, "HTTP 503", later)
    [(_, failed)] = await repo.ledger.unfinished()
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 5, "HTTP 503")
    [listed] = await repo.subscriptions.of_guild(GUILD_A)
    assert listed.retry_error == "HTTP 503"
    assert await repo.subscriptions.due(later) == []
    await repo.ledger.mark_sent(sub, failed, [99], 1, later)
    assert [s.id for s in await repo.subscriptions.due(later)] == [sub.id]


async def test_marking_sent_moves_the_snapshot_and_records_message_ids(repo: Store) -> None:
    sub = await subscribe(repo)
    [row] = await repo.ledger.claim_scheduled([claim(sub, NOW, messages=2)], NOW)
    await repo.ledger.record_progress(sub.id, row.due_at, [501], 1, NOW)
    progressed = await repo.ledger.get(sub.id, NOW)
    assert progressed is not None
    assert (progressed.status, progressed.message_ids, progressed.attempts) == (
        "pending",
        (501,),
        1,
    )
    await repo.ledger.mark_sent(sub, row, [501, 502], 1, NOW)
    sent = await repo.ledger.get(sub.id, NOW)
    assert sent is not None
    assert (sent.status, sent.message_ids, sent.attempts) == ("sent", (501, 502), 2)
    after = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert after is not None
    assert (after.snapshot_hash, after.last_digest_at) == ("hash-snapshot", NOW)
    assert await repo.ledger.unfinished() == []


async def test_a_failed_row_is_never_turned_back_from_sent(repo: Store) -> None:
    sub = await subscribe(repo)
    [row] = await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    await repo.ledger.mark_sent(sub, row, [1], 1, NOW)
    await repo.ledger.record_failure(sub.id, NOW, [], 1, "late error", NOW)
    sent = await repo.ledger.get(sub.id, NOW)
    assert sent is not None
    assert sent.status == "sent"


async def test_expired_rows_and_missed_due_times_are_recorded(repo: Store) -> None:
    sub = await subscribe(repo)
    missed = (NOW - dt.timedelta(days=3), NOW - dt.timedelta(hours=6))
    skip = DigestClaim(sub, NOW + dt.timedelta(days=1), missed=missed)
    assert await repo.ledger.claim_scheduled([skip], NOW) == []
    after = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert after is not None
    assert (after.missed_from, after.missed_until) == missed
    [row] = await repo.ledger.claim_scheduled([claim(after, after.next_due)], NOW)
    await repo.ledger.expire(after, row, NOW)
    expired = await repo.ledger.get(sub.id, row.due_at)
    assert expired is not None
    assert expired.status == "expired"
    assert await repo.ledger.unfinished() == []


async def test_paused_subscriptions_rows_wait_until_resumed(repo: Store) -> None:
    sub = await subscribe(repo)
    await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    await repo.subscriptions.pause(GUILD_A, CHANNEL_A, NOW)
    assert await repo.ledger.unfinished() == []
    await repo.subscriptions.resume(GUILD_A, CHANNEL_A, NOW + dt.timedelta(days=1), NOW)
    assert len(await repo.ledger.unfinished()) == 1


async def test_failing_is_recorded_once_and_the_notice_is_claimed_once(repo: Store) -> None:
    sub = await subscribe(repo)
    assert not await repo.subscriptions.claim_failure_notice(sub)  # not failing: nothing to tell
    assert await repo.subscriptions.mark_failing(sub, 50001, "Missing Access", NOW)
    assert not await repo.subscriptions.mark_failing(sub, 50013, "Missing Permissions", NOW)
    assert await repo.subscriptions.claim_failure_notice(sub)
    assert not await repo.subscriptions.claim_failure_notice(sub)
    failing = await repo.subscriptions.in_channel(GUILD_A, CHANNEL_A)
    assert failing is not None
    assert (failing.state, failing.failure_code, failing.failure_notified) == (
        "failing",
        50001,
        True,
    )
    counts = await repo.subscriptions.state_counts()
    assert (counts.active, counts.paused, counts.failing) == (0, 0, 1)


async def test_removing_a_subscription_drops_its_ledger(repo: Store) -> None:
    sub = await subscribe(repo)
    await repo.ledger.claim_scheduled([claim(sub, NOW)], NOW)
    assert await repo.subscriptions.remove(sub)
    assert await repo.ledger.get(sub.id, NOW) is None
    again = await subscribe(repo)
    assert again.id > sub.id  # ids are never reused, so nonces never repeat


async def test_pruning_keeps_unfinished_rows_and_referenced_blobs(repo: Store) -> None:
    old = await subscribe(repo, channel_id=1)
    new = await subscribe(repo, channel_id=2)
    [old_row] = await repo.ledger.claim_scheduled([claim(old, NOW, payload="old")], NOW)
    await repo.ledger.mark_sent(old, old_row, [1], 1, NOW)
    await repo.ledger.claim_scheduled([claim(new, NOW, payload="new")], NOW)
    removed = await repo.ledger.prune(NOW + dt.timedelta(days=40))
    assert removed == 1
    assert await repo.ledger.get(old.id, NOW) is None
    assert await repo.ledger.get(new.id, NOW) is not None
    assert set(await repo.ledger.blobs(["hash-old", "hash-new", "hash-snapshot"])) == {
        "hash-new",
        "hash-snapshot",
    }


async def test_state_counts_and_earliest_due(repo: Store) -> None:
    await subscribe(repo, channel_id=1, next_due=NOW + dt.timedelta(hours=2))
    await subscribe(repo, channel_id=2, next_due=NOW + dt.timedelta(hours=1))
    await subscribe(repo, channel_id=3, next_due=NOW)
    await repo.subscriptions.pause(GUILD_A, 3, NOW)
    counts = await repo.subscriptions.state_counts()
    assert (counts.active, counts.paused, counts.failing) == (2, 1, 0)
    assert counts.next_due == NOW + dt.timedelta(hours=1)


async def test_state_counts_of_one_guild_leave_the_others_out(repo: Store) -> None:
    await subscribe(repo, GUILD_A, 1, next_due=NOW + dt.timedelta(hours=3))
    await subscribe(repo, GUILD_A, 2, next_due=NOW + dt.timedelta(hours=5))
    await repo.subscriptions.pause(GUILD_A, 2, NOW)
    await subscribe(repo, GUILD_B, 3, next_due=NOW)
    mine = await repo.subscriptions.state_counts(GUILD_A)
    assert (mine.active, mine.paused, mine.failing) == (1, 1, 0)
    assert mine.next_due == NOW + dt.timedelta(hours=3)
    theirs = await repo.subscriptions.state_counts(GUILD_B)
    assert (theirs.active, theirs.paused, theirs.next_due) == (1, 0, NOW)
    nobody = await repo.subscriptions.state_counts(999)
    assert (nobody.active, nobody.paused, nobody.failing, nobody.next_due) == (0, 0, 0, None)
    everyone = await repo.subscriptions.state_counts()
    assert (everyone.active, everyone.paused, everyone.next_due) == (2, 1, NOW)


async def test_many_concurrent_writers_each_land(repo: Store) -> None:
    subs = [await subscribe(repo, channel_id=100 + i) for i in range(30)]
    written = await repo.ledger.claim_scheduled([claim(s, NOW) for s in subs], NOW)
    assert len(written) == 30
    await asyncio.gather(
        *(
            repo.ledger.mark_sent(s, row, [i], 1, NOW)
            for i, (s, row) in enumerate(zip(subs, written, strict=True))
        ),
        *(repo.subscriptions.pause(GUILD_A, 200 + i, NOW) for i in range(10)),
    )
    assert await repo.ledger.unfinished() == []
    rows = [row for s in subs for row in await repo.ledger.of_channel(GUILD_A, s.channel_id)]
    assert [row.status for row in rows] == ["sent"] * 30


async def test_times_are_kept_to_the_whole_second_in_utc(repo: Store) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    odd = (NOW + dt.timedelta(microseconds=654_321)).astimezone(tokyo)
    sub = await subscribe(repo, next_due=odd)
    assert sub.next_due == NOW
    assert sub.next_due.utcoffset() == dt.timedelta(0)
    [row] = await repo.ledger.claim_scheduled([claim(sub, odd)], odd)
    assert row.due_at == NOW
    assert await repo.ledger.get(sub.id, odd) == row
    assert await repo.subscriptions.earliest_due() == NOW + dt.timedelta(days=1)


async def test_an_empty_topic_list_stays_empty_and_order_is_kept(repo: Store) -> None:
    none = await subscribe(repo, channel_id=1, topics=())
    ordered = await subscribe(repo, channel_id=2, topics=("zeta", "alpha", "mid"))
    every = await subscribe(repo, channel_id=3, topics=None)
    assert (none.topics, ordered.topics, every.topics) == ((), ("zeta", "alpha", "mid"), None)
    entries = [
        NewSubscription(GUILD_B, 10 + n, topics, "daily 09:00", "UTC", "full", "en", NOW)
        for n, topics in enumerate([(), ("b", "a"), None])
    ]
    assert await repo.subscriptions.add_many(entries, NOW) == 3
    listed = await repo.subscriptions.of_guild(GUILD_B)
    assert [s.topics for s in listed] == [(), ("b", "a"), None]


async def test_naive_datetimes_are_refused(repo: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await subscribe(repo, next_due=dt.datetime(2026, 1, 1))


async def test_cluster_processes_beat_are_listed_while_alive_and_forgotten(repo: Store) -> None:
    started = NOW - dt.timedelta(hours=1)
    gateway = ClusterProcess("host-a:1:1", (0, 1, 2, 3), 8, False, started, NOW)
    worker = ClusterProcess("host-b:2:1", (), None, True, started, NOW - dt.timedelta(minutes=5))
    everything = ClusterProcess("host-c:3:1", None, None, False, started, NOW)
    for process in (gateway, worker, everything):
        await repo.state.heartbeat(process)
    assert await repo.state.cluster(NOW - dt.timedelta(minutes=10)) == [
        gateway,
        worker,
        everything,
    ]
    assert await repo.state.cluster(NOW - dt.timedelta(minutes=1)) == [gateway, everything]
    later = replace(gateway, leading=True, heartbeat_at=NOW + dt.timedelta(seconds=30))
    await repo.state.heartbeat(later)  # the same process again: one row, updated
    assert await repo.state.cluster(NOW) == [later, everything]
    await repo.state.forget_process(gateway.process_id)
    assert await repo.state.cluster(NOW - dt.timedelta(minutes=10)) == [worker, everything]


async def test_publishing_is_saved_and_updated_with_the_subscription(repo: Store) -> None:
    plain = NewSubscription(GUILD_A, CHANNEL_A, None, "daily 09:00", "UTC", "changes", "en", NOW, 7)
    saved, created = await repo.subscriptions.save(replace(plain, publish=True), NOW)
    assert created
    assert saved.publish
    [due] = await repo.subscriptions.due(NOW)
    assert due.publish  # the scheduler's read carries it too
    updated, created = await repo.subscriptions.save(plain, NOW)
    assert not created
    assert not updated.publish
