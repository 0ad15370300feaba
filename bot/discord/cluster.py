"""This process as one member of a deployment: which shards it runs, and its heartbeat.

At start-up a process reads the cluster's live members from the database and refuses
to join with a shard count that differs from theirs or with shards one of them already
runs (a member on this host whose process is gone is ignored: it crashed). While it
runs it beats every `HEARTBEAT` so that `/briefing-admin status` can list the cluster;
a clean stop removes its row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Iterable

from bot.store.interface import BotState, ClusterProcess

log = logging.getLogger(__name__)

HEARTBEAT = dt.timedelta(seconds=30)
ALIVE_FOR = 3 * HEARTBEAT  # a member silent for longer is taken for dead


class ClusterConflict(Exception):
    """This process's shard settings disagree with the cluster's live members."""


def process_id(started_at: dt.datetime) -> str:
    """`host:pid:start` for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(started_at.timestamp())}"


def _still_running(member: ClusterProcess) -> bool:
    """False for a member on this host whose process no longer exists (or is this one)."""
    host, _, rest = member.process_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    if int(pid_text) == os.getpid():
        return False  # an earlier bot of this very process, which a new one replaces
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shards_text(shards: Iterable[int] | None) -> str:
    return "every shard" if shards is None else "shards " + ", ".join(map(str, shards))


def cluster_conflict(me: ClusterProcess, members: Iterable[ClusterProcess]) -> str | None:
    """Why `me` may not join these live members, in one sentence; None if it may."""
    for other in members:
        if other.process_id == me.process_id or not _still_running(other):
            continue
        if me.shard_ids == () or other.shard_ids == ():
            continue  # a worker runs no shards
        if other.shard_count != me.shard_count:
            theirs = other.shard_count or "Discord's recommended number of"
            mine = me.shard_count or "none (Discord's recommendation)"
            return (
                f"the cluster runs {theirs} shards (process {other.process_id}), but this"
                f" process was given shard_count {mine}; give every process the same count"
            )
        everything = set(range(me.shard_count)) if me.shard_count else None
        mine_set = set(me.shard_ids) if me.shard_ids is not None else everything
        theirs_set = set(other.shard_ids) if other.shard_ids is not None else everything
        if mine_set is None or theirs_set is None:
            return (
                f"process {other.process_id} already runs {_shards_text(other.shard_ids)};"
                " in a cluster give each process its own --shards"
            )
        shared = sorted(mine_set & theirs_set)
        if shared:
            return (
                f"{_shards_text(shared)} already run in process {other.process_id};"
                " give each process shards of its own"
            )
    return None


class ClusterMembership:
    """Joins the cluster at start, beats while running, and leaves at a clean stop."""

    def __init__(
        self,
        state: BotState,
        clock: Callable[[], dt.datetime],
        *,
        shard_ids: tuple[int, ...] | None,
        shard_count: int | None,
        leading: Callable[[], bool],
        beating: bool,
        name: str | None = None,
    ) -> None:
        self._state = state
        self._clock = clock
        self._leading = leading
        self._beating = beating  # only a shared database (PostgreSQL) has a cluster to tell
        started = clock()
        self.me = ClusterProcess(
            name or process_id(started), shard_ids, shard_count, False, started, started
        )
        self._timer: asyncio.TimerHandle | None = None
        self._beats: set[asyncio.Task[None]] = set()

    async def join(self) -> None:
        """Check this process against the live members, then beat; raises ClusterConflict."""
        if not self._beating:
            return
        now = self._clock()
        conflict = cluster_conflict(self.me, await self._state.cluster(now - ALIVE_FOR))
        if conflict is not None:
            raise ClusterConflict(conflict)
        await self._beat()

    async def members(self) -> list[ClusterProcess]:
        """The cluster's live members (just this process without a shared database)."""
        if not self._beating:
            return [self._current()]
        return await self._state.cluster(self._clock() - ALIVE_FOR)

    async def leave(self) -> None:
        """Stop beating and remove this process's row."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._beating:
            try:
                await self._state.forget_process(self.me.process_id)
            except Exception:
                log.warning("could not remove this process from the cluster list", exc_info=True)
        self._beating = False

    def _current(self) -> ClusterProcess:
        return ClusterProcess(
            self.me.process_id,
            self.me.shard_ids,
            self.me.shard_count,
            self._leading(),
            self.me.started_at,
            self._clock(),
        )

    async def _beat(self) -> None:
        try:
            await self._state.heartbeat(self._current())
        except Exception:
            log.warning("could not record this process's heartbeat", exc_info=True)
        if self._beating:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(HEARTBEAT.total_seconds(), self._beat_soon)

    def _beat_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self._beat())
        self._beats.add(task)
        task.add_done_callback(self._beats.discard)
