"""The offline demo: the real bot driven line by line, in process and as `python -m bot demo`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.discord.demo import readable_timestamps, run_lines

from .briefing_world import SEED_TITLE

REPO_ROOT = Path(__file__).resolve().parents[2]


async def run(settings: Settings, *lines: str) -> tuple[int, str]:
    output: list[str] = []
    code = await run_lines(settings, list(lines), output.append, echo=True)
    return code, "\n".join(output)


async def test_a_scripted_session_shows_pages_choices_and_errors(settings: Settings) -> None:
    code, out = await run(
        settings,
        "/briefing show topic:ukraine-ceasefire",
        "next",
        "select 3",
        "click 前へ",
        "/briefing show topic:ukr?",
        "/briefing section topic:ukraine section:首脳?",
        "/briefing section topic:ukraine section:2 private:true",
        "/briefing show topic:nope",
        "lang ja",
        "/briefing show topic:nope",
        "/briefing search query:停戦",
        "quit",
        "/briefing list",  # never runs: the session ended
    )
    assert code == 0
    assert f"== {SEED_TITLE} ==" in out
    assert "— 1/4ページ" in out
    assert "  0) 概要  ← showing" in out
    assert "Buttons: [◀️ 前へ] (disabled)  [▶️ 次へ]" in out
    assert "== 1. 米露間の交渉の可能性 ==" in out  # next
    assert "== 3. ウクライナ国内の現状と今後の展望 ==" in out  # select 3
    assert "Buttons: [◀️ 前へ]  [▶️ 次へ] (disabled)" in out
    assert out.index("» click 前へ") < out.rindex("== 2. 米ロ首脳会談の可能性 ==")
    assert f"1. {SEED_TITLE} · ukraine-ceasefire  →  topic:ukraine-ceasefire" in out
    assert "1. 2. 米ロ首脳会談の可能性  →  section:summit-prospects" in out
    assert "(only you can see this)\n== 2. 米ロ首脳会談の可能性 ==" in out
    assert "2022-01-04 · ⚠️ 古い情報" in out  # Discord timestamps shown as dates
    assert "<t:" not in out
    assert "No briefing is called “nope”." in out
    assert "「nope」というブリーフィングはありません。" in out
    assert "米露関係、**停戦**協議は進展する?" in out
    assert "» /briefing list" not in out
    assert "Traceback" not in out


async def test_buttons_by_label_menus_by_label_and_mistakes(settings: Settings) -> None:
    code, out = await run(
        settings,
        "next",
        "help",
        "/briefing show topic:ukraine",
        "click next",
        "select overview",
        "select 首脳",
        "click Nope",
        "select 99",
        "/briefing nothing",
        "/briefing show",
        "/briefing show topic:ukraine private:maybe",
        "/briefing list",
        "next",
        "gibberish",
    )
    assert code == 0  # the end of input ends the session normally
    assert "! no message yet; run a command first" in out
    assert "/briefing show topic:ukraine-ceasefire" in out  # help
    assert out.count(f"== {SEED_TITLE} ==") == 2  # show, then "select overview"
    assert "== 2. 米ロ首脳会談の可能性 ==" in out
    assert "! no button 'Nope'; buttons: 前へ, 次へ" in out
    assert "! no option '99'" in out
    [unknown] = [line for line in out.splitlines() if "unknown command" in line]
    assert unknown.startswith("! unknown command /briefing nothing; try /briefing ")
    assert "/briefing list, " in unknown
    assert "! Command 'briefing show' requires option 'topic'" in out
    assert "! private takes true or false, not 'maybe'" in out
    assert "! the last message has no such button" in out
    assert "Not understood: 'gibberish'" in out


async def test_help_lists_people_digests_and_the_clock(settings: Settings) -> None:
    code, out = await run(settings, "help")
    assert code == 0
    assert "You type in #general as member (type as moderator or as admin to switch)" in out
    for command in (
        "as moderator",
        "as admin",
        "/digest subscribe channel:#news",
        "/briefing-admin status",
        "tick [DURATION]",
        "offline DURATION",
        "edit TOPIC answer N TEXT",
        "edit TOPIC add HEADING | ANSWER",
        "channel [NAME]",
        "server",
    ):
        assert command in out, command


async def test_unexpected_bot_errors_are_printed_plainly(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.briefings.library import Library

    def broken(self: Library, query: str, limit: int = 10) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(Library, "search", broken)
    code, out = await run(settings, "/briefing search query:停戦")
    assert code == 0
    assert "Something went wrong on our side." in out
    assert "bot error: RuntimeError: index exploded" in out
    assert "Traceback" not in out


async def test_the_demo_never_writes_the_configured_database(settings: Settings) -> None:
    code, _ = await run(settings, "/briefing list")
    assert code == 0
    assert not settings.database_path.exists()
    assert not settings.database_path.parent.exists()


def test_readable_timestamps() -> None:
    assert readable_timestamps("<t:1741953600:D> and <t:1741953600:t>") == (
        "2025-03-14 and 12:00 UTC"
    )
    assert readable_timestamps("<t:0>") == "1970-01-01 00:00 UTC"


def test_python_m_bot_demo_with_piped_input(tmp_path: Path, settings: Settings) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "briefings_dir": str(settings.briefings_dir),
                "database_path": str(settings.database_path),
            }
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DISCORD_TOKEN", None)
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "demo"],
        input="/briefing show topic:ukraine\nnext\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"== {SEED_TITLE} ==" in completed.stdout
    assert "== 1. 米露間の交渉の可能性 ==" in completed.stdout
    assert "Traceback" not in completed.stderr
    assert not settings.database_path.exists()
