"""What the largest and the most hostile briefings cost: showing them, and refusing them.

* show: the largest briefing the loader accepts, 250 seed-shaped sections (the section
  limit) grown to just under 1 MiB (the file limit), and a file of the same size whose
  one section holds all the text. Each run does on the event loop what `/briefing show`
  does before it replies (resolve the topic, lay out every page, build the first page's
  embeds and the page controls) while a probe that sleeps 1 ms records how late it
  wakes: the longest lateness is how long the event loop was stalled (target <= 50 ms,
  at p99 over the runs).
* refuse: a 1 MiB file of unknown top-level keys and one of keys repeated within a
  section, loaded with `load_file` (which refuses them, reporting the first 100
  problems and how many more there are), against a bare
  `yaml.load(text, Loader=yaml.CSafeLoader)` of the same file, each reading the file
  itself. The two alternate, and the medians and their ratio are reported (target <= 3x).

    python -m benchmarks.bench_hostile [--runs 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from benchmarks.corpus import briefing_document, briefing_yaml
from benchmarks.report import Row, finish, loop_stall_probe, timing_rows
from bot.briefings.library import Library
from bot.briefings.loader import MAX_FILE_BYTES, load_file
from bot.briefings.presentation import briefing_pages
from bot.briefings.validation import MAX_SECTIONS
from bot.discord import event_loop
from bot.discord.rendering import PageNavigator, page_embeds
from bot.text.cards import discord_date

STALL_TARGET_MS = 50.0
REFUSAL_TARGET_RATIO = 3.0
PROBE_INTERVAL = 0.001
# How close to the 1 MiB limit the generated files come.
FILL_SLACK = 16 * 1024
HEAD = """\
title: Harbour ferry timetable
summary: The ferry company changes its winter timetable.
updated: 2025-03-01
sections:
  - id: overview
    heading: What changes
    answer: Fewer evening crossings.
    published: 2025-02-20
"""


def _fill(document: dict[str, Any], sections: list[dict[str, Any]], paragraphs: list[str]) -> str:
    """The document's YAML, body paragraphs added round-robin until it nearly fills 1 MiB."""
    added = 0
    while True:
        text = briefing_yaml(document)
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            # Overshot: take back a tenth of what was added, then grow again in smaller steps.
            for _ in range(max(1, added // 10)):
                sections[(added - 1) % len(sections)]["body"].pop()
                added -= 1
            continue
        if MAX_FILE_BYTES - size <= FILL_SLACK:
            return text
        average = max(1, sum(len(p.encode("utf-8")) + 8 for p in paragraphs) // len(paragraphs))
        for _ in range(max(1, (MAX_FILE_BYTES - size - FILL_SLACK // 2) // average)):
            sections[added % len(sections)]["body"].append(paragraphs[added % len(paragraphs)])
            added += 1


def largest_briefing_text(section_count: int, seed: int) -> str:
    """A seed-shaped briefing of `section_count` sections, grown to just under 1 MiB."""
    rng = random.Random(seed)
    document = briefing_document(0, rng)
    sections: list[dict[str, Any]] = []
    while len(sections) < section_count:
        sections += briefing_document(0, rng)["sections"]
    sections = sections[:section_count]
    for number, section in enumerate(sections, start=1):
        section["id"] = f"part-{number}"
    document["sections"] = sections
    paragraphs = [p for s in sections for p in s["body"]]
    return _fill(document, sections, paragraphs)


def loaded(folder: Path, name: str, text: str) -> tuple[Library, int, int]:
    """The file loaded as the bot loads it: its library, its size and its section count."""
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_file(path)
    if result.briefing is None:
        raise RuntimeError(f"the generated briefing does not load: {result.errors[0]}")
    return Library([result.briefing]), path.stat().st_size, len(result.briefing.sections)


async def show(library: Library, topic: str) -> int:
    """What `/briefing show` does before it replies (layout in a worker thread, as the cog)."""
    briefing = library.find_topic(topic)
    pages = await asyncio.to_thread(briefing_pages, briefing, library, discord_date)
    page_embeds(pages[0])
    sections = [(s.id, s.heading) for s in briefing.sections]
    PageNavigator(pages, owner_id=1, language=briefing.language, sections=sections)
    return len(pages)


async def show_stalls(library: Library, topic: str, runs: int) -> list[float]:
    """The event loop's longest stall during each of `runs` shows, in milliseconds."""
    await show(library, topic)  # warm-up
    stalls = []
    for _ in range(runs):
        gc.collect()
        async with loop_stall_probe(PROBE_INTERVAL) as probe:
            await asyncio.sleep(0.005)
            await show(library, topic)
            await asyncio.sleep(0.005)
        stalls.append(probe.longest() * 1000)
    return stalls


def unknown_keys_text() -> str:
    """A valid briefing followed by as many unknown top-level keys as fit in 1 MiB."""
    lines, size, index = [HEAD], len(HEAD), 0
    while True:
        line = f"unknown-key-{index}: some value\n"
        if size + len(line) > MAX_FILE_BYTES:
            return "".join(lines)
        lines.append(line)
        size += len(line)
        index += 1


def repeated_keys_text() -> str:
    """A valid briefing whose section then sets as many keys twice as fit in 1 MiB."""
    count = (MAX_FILE_BYTES - len(HEAD)) // (2 * len("    note-00000: second\n"))
    keys = [f"    note-{index}: first\n" for index in range(count)]
    again = [f"    note-{index}: second\n" for index in range(count)]
    return HEAD + "".join(keys) + "".join(again)


def _timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def refusal_figures(path: Path, runs: int) -> dict[str, float]:
    """Median seconds to refuse the file and to bare-parse it, alternating runs."""
    result = load_file(path)
    if result.briefing is not None or not result.errors:
        raise RuntimeError(f"{path.name} was not refused")
    refused: list[float] = []
    bare: list[float] = []

    def refuse() -> None:
        refused.append(_timed(lambda: load_file(path)))

    def parse() -> None:
        bare.append(
            _timed(lambda: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        )

    for run in range(runs):
        for step in (refuse, parse) if run % 2 else (parse, refuse):
            step()
    return {
        "refuse": statistics.median(refused),
        "bare": statistics.median(bare),
        "bytes": float(path.stat().st_size),
    }


def refusal_rows(name: str, figures: dict[str, float]) -> list[Row]:
    """One hostile file's rows: both medians and their ratio against the target."""
    scope = f"{name}, {figures['bytes'] / 2**20:.2f} MiB"
    return [
        Row(
            f"hostile: refuse {scope}, load_file median",
            round(figures["refuse"], 4),
            "s",
            baseline=figures["bare"],
        ),
        Row(
            f"hostile: bare yaml.load(CSafeLoader) of {scope} median",
            round(figures["bare"], 4),
            "s",
        ),
        Row(
            f"hostile: refuse {scope} / bare YAML",
            round(figures["refuse"] / figures["bare"], 3),
            "x",
            target=REFUSAL_TARGET_RATIO,
        ),
    ]


def run(runs: int, seed: int) -> list[Row]:
    """Generate the files in a scratch folder, measure, and return the rows."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-hostile-") as scratch:
        folder = Path(scratch)
        shapes = [
            ("largest", f"{MAX_SECTIONS} sections", largest_briefing_text(MAX_SECTIONS, seed)),
            ("one-section", "one section", largest_briefing_text(1, seed)),
        ]
        for name, shape, text in shapes:
            library, size, sections = loaded(folder, name, text)
            pages = event_loop.run(show(library, name))
            stalls = event_loop.run(show_stalls(library, name, runs))
            print(f"{name}: {size:,} bytes, {sections} section(s), {pages:,} pages", flush=True)
            rows += timing_rows(
                f"hostile: /briefing show event-loop stall, {shape} in {size / 2**20:.2f} MiB,",
                stalls,
                STALL_TARGET_MS,
            )
        for name, text in [
            ("unknown keys", unknown_keys_text()),
            ("repeated keys", repeated_keys_text()),
        ]:
            path = folder / f"{name.replace(' ', '-')}.yaml"
            path.write_text(text, encoding="utf-8")
            rows += refusal_rows(name, refusal_figures(path, max(3, runs // 2)))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_hostile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each measurement")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    return finish(run(max(1, args.runs), args.seed), args.json)


if __name__ == "__main__":
    sys.exit(main())
