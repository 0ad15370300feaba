"""Cluster settings: which shards a process runs, refused clearly when the range is bad."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ClusterSettings, load_settings, parse_shard_ids
from bot.discord.client import create_bot
from tests.test_config import config_error, write_config


def test_ranges_and_lists_of_shards() -> None:
    assert parse_shard_ids("0-3", 8) == (0, 1, 2, 3)
    assert parse_shard_ids("4, 6-7", 8) == (4, 6, 7)
    assert parse_shard_ids("7", 8) == (7,)


@pytest.mark.parametrize(
    ("text", "count", "message"),
    [
        ("0-3,2-5", 8, "shard 2 is named twice in '0-3,2-5'"),
        ("6-8", 8, "shard 8 is out of range: with shard_count 8 the shards are 0-7"),
        ("3-1", 8, "shard range '3-1' runs backwards; write 1-3"),
        ("a-b", 8, "'a-b' is not a shard range; write it like 0-3 or 0,2,4-7"),
        ("", 8, "'' is not a shard range; write it like 0-3 or 0,2,4-7"),
    ],
)
def test_a_bad_range_says_what_is_wrong(text: str, count: int, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_shard_ids(text, count)


def test_a_bad_range_in_the_config_names_the_file_line_and_setting(tmp_path: Path) -> None:
    path = write_config(tmp_path, "cluster:\n  shards: 0-3,3\n  shard_count: 8\n")
    error = config_error(path)
    assert error.startswith(f"{path}:2:")
    assert "cluster" in error
    assert "shard 3 is named twice in '0-3,3'" in error


def test_shards_need_the_clusters_shard_count(tmp_path: Path) -> None:
    path = write_config(tmp_path, "cluster:\n  shards: 0-3\n")
    assert "shards needs shard_count" in config_error(path)


def test_a_cluster_process_runs_only_its_shards(tmp_path: Path) -> None:
    path = write_config(tmp_path, "cluster:\n  shards: 4-7\n  shard_count: 16\n")
    settings = load_settings(path)
    assert settings.cluster.shard_ids == (4, 5, 6, 7)
    bot = create_bot(settings)
    assert (bot.shard_ids, bot.shard_count) == ([4, 5, 6, 7], 16)


def test_with_no_settings_the_bot_is_sharded_as_discord_recommends() -> None:
    assert ClusterSettings().shard_ids is None
    bot = create_bot(load_settings(Path("/nonexistent/config.yaml"), missing_ok=True))
    # AutoShardedBot with no count asks Discord for the recommended number at login.
    assert (bot.shard_ids, bot.shard_count) == (None, None)
