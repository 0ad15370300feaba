"""The mixed-target fan-out benchmark's own code path, in small, as a correctness test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.bench_fanout_targets import run_mixed
from benchmarks.loopback_discord import LoopbackDiscord


@pytest.fixture
def api() -> Iterator[str]:
    server = LoopbackDiscord(global_limit=500)
    with server.in_thread() as url:
        yield url


async def test_every_kind_of_target_gets_one_digest_once(api: str, tmp_path: Path) -> None:
    rows = {r.metric.split(": ", 1)[1]: r.value for r in await run_mixed(api, 10, tmp_path, "t")}
    assert rows["targets"] == 40
    assert rows["messages_sent"] == 40
    assert rows["forum_posts"] == 10
    assert rows["lost"] == 0
    assert rows["duplicates"] == 0
    assert rows["http_429"] == 0
    assert rows["ledger_unsent"] == 0
    assert rows["failed"] == 0
