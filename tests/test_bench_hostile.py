"""The hostile-input benchmark's own code: its files are what it says, its rows are complete."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_hostile import (
    REFUSAL_TARGET_RATIO,
    loaded,
    refusal_figures,
    refusal_rows,
    repeated_keys_text,
    show,
    unknown_keys_text,
)
from bot.briefings.loader import MAX_FILE_BYTES, load_file
from tests.support.big_briefings import many_sections_yaml


def test_the_hostile_files_fill_one_mebibyte_and_are_refused(tmp_path: Path) -> None:
    for name, text in [("unknown", unknown_keys_text()), ("repeated", repeated_keys_text())]:
        size = len(text.encode("utf-8"))
        assert MAX_FILE_BYTES - 64 * 1024 < size <= MAX_FILE_BYTES, name
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        result = load_file(path)
        assert result.briefing is None
        assert result.errors[0].message.endswith("check the file again"), name


def test_refusal_rows_compare_with_bare_yaml_against_the_target(tmp_path: Path) -> None:
    path = tmp_path / "unknown.yaml"
    path.write_text(unknown_keys_text(), encoding="utf-8")
    figures = refusal_figures(path, 1)
    rows = refusal_rows("unknown keys", figures)
    assert [row.unit for row in rows] == ["s", "s", "x"]
    assert rows[0].baseline == figures["bare"]
    assert rows[2].target == REFUSAL_TARGET_RATIO
    assert rows[2].value == round(figures["refuse"] / figures["bare"], 3)


async def test_show_lays_out_every_page_of_a_loaded_briefing(tmp_path: Path) -> None:
    library, size, sections = loaded(tmp_path, "many", many_sections_yaml(30))
    assert (sections, size) == (30, (tmp_path / "many.yaml").stat().st_size)
    # 32 overview fields fill two pages, then one page per section.
    assert await show(library, "many") == 2 + 30
