"""Run history on SQLite and on PostgreSQL: what `/digest why` reads back.

Every test runs against both implementations (the `repo` fixture).
"""

from __future__ import annotations

import datetime as dt

from bot.digests.records import KEEP_RUNS, DigestRun
from bot.store.interface import Store
from tests.store.builders import CHANNEL_A, CHANNEL_B, GUILD_A, NOW, subscribe


def run(subscription_id: int, minutes: int, **details: object) -> DigestRun:
    """A 'sent' run `minutes` after NOW, with any other fields given."""
    fields: dict[str, object] = {"outcome": "sent", **details}
    return DigestRun(subscription_id, NOW + dt.timedelta(minutes=minutes), **fields)  # type: ignore[arg-type]


async def test_runs_read_back_newest_first_with_every_field(repo: Store) -> None:
    sub = await subscribe(repo)
    sent = run(sub.id, 1, due_at=NOW, channel_id=CHANNEL_A, message_id=9_001)
    failed = run(sub.id, 2, outcome="failed", due_at=NOW, code=50013, reason="Missing Permissions")
    skipped = run(sub.id, 3, outcome="skipped", due_at=NOW, detail="2026-03-02T09:00:00+00:00")
    await repo.history.record([sent, failed])
    await repo.history.record([skipped])

    assert await repo.history.recent(sub.id) == [skipped, failed, sent]
    assert await repo.history.recent(sub.id, limit=1) == [skipped]


async def test_each_subscription_keeps_only_its_newest_runs(repo: Store) -> None:
    busy = await subscribe(repo)
    quiet = await subscribe(repo, GUILD_A, CHANNEL_B)
    await repo.history.record([run(quiet.id, 0, outcome="unchanged")])
    for start in range(0, KEEP_RUNS + 20, 7):  # several runs, each of several rows
        await repo.history.record([run(busy.id, minute) for minute in range(start, start + 7)])

    kept = await repo.history.recent(busy.id, limit=KEEP_RUNS + 100)
    assert len(kept) == KEEP_RUNS
    newest = KEEP_RUNS + 20 + (7 - (KEEP_RUNS + 20) % 7) % 7 - 1
    assert kept[0].at == NOW + dt.timedelta(minutes=newest)
    assert [r.at for r in kept] == sorted((r.at for r in kept), reverse=True)
    # Pruning one subscription leaves the other's history alone.
    assert [r.outcome for r in await repo.history.recent(quiet.id)] == ["unchanged"]


async def test_history_goes_with_its_subscription(repo: Store) -> None:
    sub = await subscribe(repo)
    await repo.history.record([run(sub.id, 1)])
    assert await repo.subscriptions.delete(GUILD_A, CHANNEL_A)
    assert await repo.history.recent(sub.id) == []
    # A run recorded after its subscription was removed is dropped, not an error.
    await repo.history.record([run(sub.id, 2)])
    assert await repo.history.recent(sub.id) == []
