"""docs/digests.md shows what the bot prints now: its examples are what the script writes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "digest_examples.py"
DOCUMENT = REPO_ROOT / "docs" / "digests.md"


@pytest.fixture(scope="module")
def examples_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("digest_examples", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_page_shows_what_the_bot_prints_now(examples_script: ModuleType) -> None:
    examples = await examples_script.all_examples()
    page = DOCUMENT.read_text(encoding="utf-8")
    assert examples_script.update_document(page, examples) == page, (
        "docs/digests.md is out of date: run .venv/bin/python scripts/digest_examples.py"
    )
    # The examples are the real thing, not empty placeholders.
    assert "Posted in #news at Thu 2026-01-01 09:00 UTC (1 message):" in examples["first-digest"]
    assert "▸ ✏️ 更新 · 米露間の交渉の可能性" in examples["change-digest"]
    assert "a catch-up of the digest due Sat 2026-01-03 09:00 UTC" in examples["catch-up-digest"]
    assert "| `daily 09:00` | every day at 09:00 | Thu 01-01 09:00," in examples["schedule-table"]
    assert "Traceback" not in page


def test_examples_replace_what_is_between_their_markers(examples_script: ModuleType) -> None:
    page = (
        "intro\n<!-- digest-example: one -->\nold\ntext\n<!-- /digest-example -->\n"
        "middle\n<!-- digest-example: two -->\n<!-- /digest-example -->\nend\n"
    )
    updated = examples_script.update_document(page, {"one": "new 1\n", "two": "new 2\n"})
    assert updated == (
        "intro\n<!-- digest-example: one -->\nnew 1\n<!-- /digest-example -->\n"
        "middle\n<!-- digest-example: two -->\nnew 2\n<!-- /digest-example -->\nend\n"
    )
    with pytest.raises(ValueError, match="do not match"):
        examples_script.update_document(page, {"one": "x\n"})


def test_the_script_checks_the_page_from_the_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "docs/digests.md is up to date" in completed.stdout
    assert "Traceback" not in completed.stderr
