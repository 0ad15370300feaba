"""The benchmark suite's own code: rows, growth, the generated deployment, small runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import bench_selection
from benchmarks.__main__ import main as benchmarks_main
from benchmarks.__main__ import run_one
from benchmarks.corpus import briefing_id, generate_subscriptions
from benchmarks.loopback_discord import LoopbackDiscord
from benchmarks.report import Row, growth_rows, loop_stall_probe, percentile
from benchmarks.scale import DUE, prepare, subscription_entries
from bot.store.sqlite import SqliteStore


def test_rows_compare_with_their_target_or_else_their_baseline() -> None:
    assert Row("p99", 5.0, "ms", target=10.0).as_json() == {
        "metric": "p99",
        "value": 5.0,
        "unit": "ms",
        "target": 10.0,
        "ratio": 0.5,
        "meets_target": True,
    }
    assert not Row("rate", 0.9, "x", target=0.95, higher_is_better=True).meets_target
    assert Row("load", 1.2, "s", baseline=1.0).as_json()["ratio"] == 1.2
    assert Row("load", 1.2, "s", baseline=1.0).meets_target is None
    assert Row("lost", 0, "messages", target=0).meets_target is True
    assert Row("lost", 0, "messages", target=0).ratio is None


def test_growth_rows_compare_each_step_with_the_size_ratio() -> None:
    rows = growth_rows("search p50", {1_000: 2.0, 100: 1.0, 10_000: 40.0})
    assert [(r.metric, r.value, r.baseline, r.ratio) for r in rows] == [
        ("search p50 growth 100 -> 1,000", 2.0, 10.0, 0.2),
        ("search p50 growth 1,000 -> 10,000", 20.0, 10.0, 2.0),
    ]


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.99) == 0.0


async def test_the_stall_probe_sees_a_blocked_loop() -> None:
    loop = asyncio.get_running_loop()
    async with loop_stall_probe(0.001) as probe:
        await asyncio.sleep(0.01)
        blocked_at = loop.time()
        deadline = blocked_at + 0.05
        while loop.time() < deadline:  # hold the loop for 50 ms
            pass
        await asyncio.sleep(0.01)
    assert probe.longest() >= 0.04
    assert probe.longest(until=blocked_at) < 0.04


def test_generated_subscriptions_are_deterministic_and_spread_over_guilds() -> None:
    topics = [briefing_id(n) for n in range(30)]
    first = generate_subscriptions(500, 25, topics, seed=3)
    assert first == generate_subscriptions(500, 25, topics, seed=3)
    assert first != generate_subscriptions(500, 25, topics, seed=4)
    assert len({s["guild_id"] for s in first}) == 25
    assert len({s["channel_id"] for s in first}) == 500
    assert all(1 <= len(s["topics"]) <= 3 for s in first)


def test_exactly_the_chosen_number_fall_due() -> None:
    topics = [briefing_id(n) for n in range(30)]
    entries = subscription_entries(400, 37, topics, seed=1)
    due = [e for e in entries if e.next_due <= DUE]
    assert len(due) == 37
    assert all(e.next_due == DUE for e in due)
    assert min(e.next_due for e in entries if e.next_due > DUE) > DUE + dt.timedelta(days=2)


@pytest.fixture
def api() -> Iterator[str]:
    with LoopbackDiscord(global_limit=100_000).in_thread() as url:
        yield url


def run_copies(folder: Path) -> list[Path]:
    return list(folder.glob("run.sqlite3*"))


async def test_the_selection_benchmark_in_small(tmp_path: Path, api: str) -> None:
    deployment = await prepare(tmp_path, briefings=12, subscriptions=300, due=40, seed=2)
    store = SqliteStore(deployment.database_path)
    await store.open()
    try:
        assert (await store.subscriptions.state_counts()).active == 300
        assert len(await store.subscriptions.due(DUE)) == 40
    finally:
        await store.close()

    figures = await bench_selection.one_run(deployment, api, tmp_path)

    assert 0 < figures["first_compose_ms"] < figures["first_ms"]
    assert figures["unchanged_compose_ms"] == 0
    assert figures["unchanged_ms"] > 0
    assert not run_copies(tmp_path)  # each run's copy of the database is removed


def test_the_runner_keeps_a_failed_benchmark_as_a_row() -> None:
    [row] = run_one("broken", ["benchmarks.bench_load", "--sizes", "none"])
    assert row["metric"] == "broken benchmark"
    assert row["meets_target"] is False
    assert "exit status" in row["error"]
    json.dumps(row)


def test_a_results_file_prints_as_a_markdown_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [Row("search p99", 16.0, "ms", target=20.0).as_json(), Row("a|b", 3, "x").as_json()]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(rows), encoding="utf-8")

    assert benchmarks_main(["--markdown", str(results)]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "| metric | value | unit | target | ratio | meets target |",
        "|---|---|---|---|---|---|",
        "| search p99 | 16 | ms | 20 | 0.8 | yes |",
        "| a\\|b | 3 | x | - | - | - |",
    ]
