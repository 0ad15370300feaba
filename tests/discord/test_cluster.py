"""Cluster membership: a process refuses to join with shards that clash with a live one."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest

from bot.discord.cluster import ALIVE_FOR, ClusterConflict, ClusterMembership, cluster_conflict
from bot.discord.runner import explain_failure
from bot.store.interface import ClusterProcess
from bot.store.postgres import PostgresStore

NOW = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


def member(
    name: str, shards: tuple[int, ...] | None, count: int | None, *, host: str = "elsewhere"
) -> ClusterProcess:
    return ClusterProcess(f"{host}:{name}:1", shards, count, False, NOW, NOW)


def test_a_process_with_its_own_shards_of_the_same_count_may_join() -> None:
    me = member("1", (0, 1, 2, 3), 8)
    assert cluster_conflict(me, [member("2", (4, 5, 6, 7), 8), me]) is None


def test_a_different_shard_count_is_refused_with_both_counts() -> None:
    conflict = cluster_conflict(member("1", (0, 1), 4), [member("2", (4, 5), 8)])
    assert conflict == (
        "the cluster runs 8 shards (process elsewhere:2:1), but this process was given"
        " shard_count 4; give every process the same count"
    )


def test_shards_that_another_process_runs_are_refused() -> None:
    conflict = cluster_conflict(member("1", (2, 3, 4), 8), [member("2", (0, 1, 2, 3), 8)])
    assert (
        conflict
        == "shards 2, 3 already run in process elsewhere:2:1; give each process shards of its own"
    )
    conflict = cluster_conflict(member("1", None, None), [member("2", None, None)])
    assert conflict is not None
    assert conflict.startswith("process elsewhere:2:1 already runs every shard")


def test_workers_never_clash_and_a_dead_local_process_is_ignored() -> None:
    worker = member("1", (), None)
    assert cluster_conflict(worker, [member("2", None, None)]) is None
    assert cluster_conflict(member("3", None, None), [worker]) is None
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = gone.stdout.strip()
    crashed = ClusterProcess(f"{socket.gethostname()}:{dead_pid}:1", None, None, True, NOW, NOW)
    assert cluster_conflict(member("4", None, None), [crashed]) is None
    earlier = ClusterProcess(f"{socket.gethostname()}:{os.getpid()}:0", None, None, True, NOW, NOW)
    assert cluster_conflict(member("5", None, None), [earlier]) is None  # replaced in-process
    parent = ClusterProcess(f"{socket.gethostname()}:{os.getppid()}:0", None, None, True, NOW, NOW)
    assert cluster_conflict(member("6", None, None), [parent]) is not None  # alive elsewhere


def test_a_clash_stops_start_up_with_one_sentence_and_status_2() -> None:
    failure = explain_failure(ClusterConflict("shards 2 already run in process x"), None)  # type: ignore[arg-type]
    assert failure.status == 2
    assert (
        failure.sentence
        == "This process cannot join the cluster: shards 2 already run in process x."
    )


async def test_members_beat_into_postgresql_and_leave_when_they_stop(postgres_url: str) -> None:
    stores = [PostgresStore(postgres_url) for _ in range(3)]
    for store in stores:
        await store.open()
    clock = [NOW]
    try:
        first, second, clashing = (
            ClusterMembership(
                store.state,
                lambda: clock[0],
                shard_ids=shards,
                shard_count=8,
                leading=lambda: False,
                beating=True,
                name=f"other-host:{n}:1",  # distinct, as three processes' ids are
            )
            for n, (store, shards) in enumerate(
                zip(stores, [(0, 1, 2, 3), (4, 5, 6, 7), (3, 4)], strict=True)
            )
        )
        await first.join()
        await second.join()
        with pytest.raises(ClusterConflict, match="shards 3 already run in process"):
            await clashing.join()
        members = await first.members()
        assert sorted(m.shard_ids or () for m in members) == [(0, 1, 2, 3), (4, 5, 6, 7)]
        await second.leave()
        assert [m.shard_ids for m in await first.members()] == [(0, 1, 2, 3)]
        clock[0] = NOW + ALIVE_FOR + dt.timedelta(seconds=1)  # first stopped beating
        assert await clashing.members() == []
        await clashing.join()  # its shards are free now
    finally:
        for store in stores:
            await store.close()
