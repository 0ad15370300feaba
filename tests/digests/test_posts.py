"""Names of the forum posts and threads digests open, and finding one again after a restart."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.digests.posts import NAME_LIMIT, find_opened_thread, post_title
from bot.digests.records import Subscription

DUE = dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)


def _subscription(**changes: object) -> Subscription:
    base = Subscription(
        id=1,
        guild_id=10,
        channel_id=20,
        topics=None,
        schedule="daily 09:30",
        timezone="Asia/Tokyo",
        mode="changes",
        language="ja",
        state="active",
        next_due=DUE,
        target="forum",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_post_is_named_by_the_digest_title_and_the_local_due_time() -> None:
    assert post_title(_subscription(), DUE) == "ダイジェスト: 更新内容 · 2026年12月2日 09:30"
    english = post_title(_subscription(language="en", timezone="America/New_York"), DUE)
    assert english == "Digest: what changed · 2026-12-01 19:30"  # the day before, in New York


def test_the_same_digest_gets_the_same_name_and_another_due_time_another() -> None:
    subscription = _subscription(mode="full")
    assert post_title(subscription, DUE) == post_title(subscription, DUE)
    assert post_title(subscription, DUE) != post_title(subscription, DUE + dt.timedelta(hours=1))
    assert len(post_title(subscription, DUE)) <= NAME_LIMIT


def test_a_naive_due_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        post_title(_subscription(), DUE.replace(tzinfo=None))


def test_the_opened_post_is_found_by_forum_name_and_owner() -> None:
    name = post_title(_subscription(), DUE)
    threads = [
        {"id": "5", "parent_id": "20", "name": name, "owner_id": "99"},  # someone else's
        {"id": "6", "parent_id": "21", "name": name, "owner_id": "7"},  # another forum
        {"id": "8", "parent_id": "20", "name": "other", "owner_id": "7"},
        {"id": "9", "parent_id": "20", "name": name, "owner_id": "7"},
    ]
    assert find_opened_thread(threads, 20, name, owner_id=7) == 9
    assert find_opened_thread(threads[:3], 20, name, owner_id=7) is None
