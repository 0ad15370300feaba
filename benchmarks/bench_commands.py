"""How long `/briefing` takes to handle a command in process, at p50 and p99.

A library of N generated briefings (100, 1,000 and 10,000) with exactly 10 sections each is
built from `benchmarks.corpus` (seed-shaped, mostly Japanese). Each metric repeats, with
varied realistic inputs, the work the command does between receiving the interaction
and handing the reply to discord.py:

* show: resolve the topic, lay out every page, build the first page's embeds and the
  page controls (buttons and section menu);
* section: resolve topic and section, lay out the cards, build the first embeds;
* search: run the query (Japanese two-character words, longer Japanese words,
  English words, several words, no match), lay out the results, build the embeds;
* a word's first search: the same, for words nobody searched before in that library
  (two characters of Japanese text, or an English word, taken from the briefings): the
  index works out where a word is on its first search and keeps that for the next;
* topic / section autocomplete: build the choices for what was typed so far
  (prefixes, aliases, tags, title fragments, typos, full width, nothing).

The search index is built once before measuring (the bot builds it on the first
search after a reload, in a worker thread); its build time is reported separately.
As after a reload in the bot, the library is moved to the permanent GC generation.

Targets at p99 over 10,000 sections (1,000 briefings): autocomplete <= 2 ms, search
<= 20 ms, show and section <= 10 ms. The same run at 100 and 10,000 briefings shows how
each cost grows with the library (growth rows: median at 10x the sections over median).

    python -m benchmarks.bench_commands [--sizes 100,1000,10000] [--iterations 2000] [--json PATH]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import briefing_document, briefing_id
from benchmarks.report import Row, finish, growth_rows, sizes_argument, timing_rows
from bot.briefings.library import Library
from bot.briefings.models import Briefing
from bot.briefings.presentation import briefing_pages, section_cards
from bot.briefings.search_cards import search_cards
from bot.discord import event_loop
from bot.discord.cogs.choices import section_choices_for, topic_choices_for
from bot.discord.rendering import PageNavigator, page_embeds
from bot.text.cards import discord_date, number_pages, paginate

SECTIONS = 10
TARGETS_MS = {
    "show": 10.0,
    "section": 10.0,
    "search": 20.0,
    "topic autocomplete": 2.0,
    "section autocomplete": 2.0,
}
JAPANESE_PAIRS = ["停戦", "政府", "協議", "物流", "医療", "選挙", "港湾", "観光", "賃上", "気候"]
JAPANESE_WORDS = ["停戦協議", "エネルギー価格", "半導体の供給", "防災計画", "国際機関"]
ENGLISH_WORDS = ["ceasefire", "energy", "harbour", "analysts", "support package", "chip supply"]
MISSES = ["zebra", "量子", "ｑｕａｎｔｕｍ"]
TARGET_SECTIONS = 10_000  # the targets hold over 10,000 sections (1,000 briefings)
# Search, a word's first search included, also has a target at 100,000 sections.
SEARCH_TARGETS_MS = {10_000: 20.0, 100_000: 60.0}
GROWTH = ("search", "topic autocomplete", "section autocomplete")
FIRST_SEARCHES = 200
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]{2}")
_ENGLISH = re.compile(r"[A-Za-z]{4,}")


def generate_library(size: int, seed: int) -> Library:
    """`size` seed-shaped briefings with exactly SECTIONS sections each."""
    rng = random.Random(seed)
    briefings = []
    for index in range(size):
        english = rng.random() < 0.2
        document = briefing_document(index, rng, english=english)
        sections = list(document["sections"])
        while len(sections) < SECTIONS:
            sections += briefing_document(index, rng, english=english)["sections"]
        sections = sections[:SECTIONS]
        for number, section in enumerate(sections, start=1):
            section["id"] = f"part-{number}"
        document["sections"] = sections
        briefings.append(Briefing.model_validate({"id": briefing_id(index), **document}))
    return Library(briefings)


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms (what some IMEs type)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring characters."""
    if len(text) < 3:
        return text
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def topic_inputs(library: Library, rng: random.Random, count: int) -> list[str]:
    """What people type into a topic option, keystroke by keystroke."""
    briefings = list(library)
    inputs = []
    for _ in range(count):
        briefing = rng.choice(briefings)
        kind = rng.randrange(8)
        if kind == 0:
            text = briefing.id[: rng.randint(1, len(briefing.id))]
        elif kind == 1:
            text = briefing.aliases[0][: rng.randint(2, len(briefing.aliases[0]))]
        elif kind == 2:
            start = rng.randrange(max(1, len(briefing.title) - 4))
            text = briefing.title[start : start + rng.randint(2, 8)]
        elif kind == 3:
            text = rng.choice(briefing.tags)
        elif kind == 4:
            text = typo(briefing.id, rng)
        elif kind == 5:
            text = fullwidth(briefing.id[: rng.randint(3, len(briefing.id))]).upper()
        elif kind == 6:
            text = ""
        else:
            text = rng.choice(["ukraine", "ukrane", "topci", "停戦", "the", "x"])
        inputs.append(text)
    return inputs


def section_inputs(library: Library, rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(topic already chosen, what is typed into the section option)."""
    briefings = list(library)
    inputs = []
    for _ in range(count):
        briefing = rng.choice(briefings)
        section = rng.choice(briefing.sections)
        topic = rng.choice([briefing.id, briefing.aliases[0], typo(briefing.id, rng)])
        typed = rng.choice(
            ["", section.id[: rng.randint(1, len(section.id))], section.heading[:2], "行方", "9"]
        )
        inputs.append((topic, typed))
    return inputs


def search_inputs(rng: random.Random, count: int) -> list[str]:
    """A mix of queries, about half of them two-character Japanese words."""
    inputs = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            query = rng.choice(JAPANESE_PAIRS)
        elif kind < 0.6:
            query = rng.choice(JAPANESE_WORDS)
        elif kind < 0.8:
            query = rng.choice(ENGLISH_WORDS)
        elif kind < 0.92:
            query = f"{rng.choice(JAPANESE_PAIRS)} {rng.choice(JAPANESE_PAIRS)}"
        else:
            query = rng.choice(MISSES)
        inputs.append(unicodedata.normalize("NFC", query))
    return inputs


def first_search_inputs(
    library: Library, rng: random.Random, count: int, searched: set[str]
) -> list[str]:
    """`count` words not in `searched`, each searched once: two characters of Japanese
    text or an English word, from random sections of random briefings."""
    briefings = list(library)
    words: list[str] = []
    seen = {query.casefold() for query in searched}
    while len(words) < count:
        section = rng.choice(rng.choice(briefings).sections)
        text = rng.choice([section.answer, *section.points, *section.body])
        found = (_JAPANESE if rng.random() < 0.8 else _ENGLISH).findall(text)
        if found:
            word = rng.choice(found)
            if word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
    return words


def measure(action: Callable[[Any], object], inputs: Sequence[Any]) -> list[float]:
    """Milliseconds each call of `action` took, one per input."""
    timings = []
    clock = time.perf_counter_ns
    for value in inputs:
        started = clock()
        action(value)
        timings.append((clock() - started) / 1e6)
    return timings


async def run(size: int, iterations: int, seed: int) -> dict[str, Any]:
    """Build the library and time every command; figures in milliseconds."""
    started = time.perf_counter()
    library = generate_library(size, seed)
    built = time.perf_counter() - started
    started = time.perf_counter()
    library.search("warm")  # builds the search index, as the first search after a reload does
    index_seconds = time.perf_counter() - started
    gc.collect()
    gc.freeze()  # as BriefBot does after swapping in a reloaded library
    rng = random.Random(seed + 1)
    briefings = list(library)
    targets = [(b.id, s.id) for b in briefings for s in b.sections]

    def show(topic: str) -> None:
        briefing = library.find_topic(topic)
        pages = briefing_pages(briefing, library, discord_date)
        page_embeds(pages[0])
        sections = [(s.id, s.heading) for s in briefing.sections]
        PageNavigator(pages, owner_id=1, language="ja", sections=sections)

    def section(target: tuple[str, str]) -> None:
        briefing = library.find_topic(target[0])
        chosen = library.find_section(briefing, target[1])
        cards = section_cards(briefing, chosen, library, discord_date)
        pages = number_pages(paginate(cards, chosen.id), briefing.language)
        page_embeds(pages[0])
        if len(pages) > 1:
            PageNavigator(pages, owner_id=1, language="ja")

    def search(query: str) -> None:
        hits = library.search(query, 10)
        pages = number_pages(paginate(search_cards(library, query, hits, "ja")), "ja")
        page_embeds(pages[0])

    show_inputs = [
        rng.choice([b.id, b.aliases[0], b.id.upper()])
        for b in (rng.choice(briefings) for _ in range(iterations))
    ]
    section_targets = []
    for _ in range(iterations):
        topic, section_id = rng.choice(targets)
        section_targets.append((topic, rng.choice([section_id, section_id.split("-")[-1]])))
    cases: dict[str, tuple[Callable[[Any], object], list[Any]]] = {
        "show": (show, show_inputs),
        "section": (section, section_targets),
        "search": (search, search_inputs(rng, iterations)),
        "topic autocomplete": (
            lambda typed: topic_choices_for(library, typed),
            topic_inputs(library, rng, iterations * 2),
        ),
        "section autocomplete": (
            lambda pair: section_choices_for(library, *pair),
            section_inputs(library, rng, iterations * 2),
        ),
    }
    results: dict[str, Any] = {
        "size": size,
        "sections": library.section_count,
        "build_s": built,
        "index_s": index_seconds,
    }
    for name, (action, inputs) in cases.items():
        measure(action, inputs[: max(1, len(inputs) // 10)])  # warm-up
        results[name] = {"samples": measure(action, inputs)}
    searched = {word for query in cases["search"][1] for word in query.split()}
    firsts = first_search_inputs(library, rng, FIRST_SEARCHES, searched)
    results["first search"] = {"samples": measure(search, firsts)}
    return results


def rows_for(figures: dict[str, Any]) -> list[Row]:
    """One library size's rows: the index build, and each command's p50 and p99."""
    size, sections = figures["size"], figures["sections"]
    scope = f"{size:,} briefings / {sections:,} sections"
    has_targets = sections == TARGET_SECTIONS
    rows = [Row(f"commands: search index build, {scope}", round(figures["index_s"], 3), "s")]
    search_target = SEARCH_TARGETS_MS.get(sections)
    for name, target in TARGETS_MS.items():
        chosen = search_target if name == "search" else (target if has_targets else None)
        rows += timing_rows(
            f"commands: /briefing {name}, {scope},", figures[name]["samples"], chosen
        )
    rows += timing_rows(
        f"commands: /briefing search, a word's first search, {scope},",
        figures["first search"]["samples"],
        search_target,
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table, and optionally write the JSON rows."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_commands", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        type=sizes_argument,
        default=[100, 1000, 10_000],
        help="library sizes in briefings (10 sections each)",
    )
    parser.add_argument("--iterations", type=int, default=2000, help="timed calls per command")
    parser.add_argument("--seed", type=int, default=0, help="corpus and input seed")
    parser.add_argument("--json", type=Path, help="write the result rows to this file")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    medians: dict[str, dict[int, float]] = {name: {} for name in GROWTH}
    for size in args.sizes:
        figures = event_loop.run(run(size, args.iterations, args.seed))
        print(
            f"{figures['size']:,} briefings, {figures['sections']:,} sections: built in "
            f"{figures['build_s']:.2f} s, search index in {figures['index_s']:.2f} s",
            flush=True,
        )
        rows += rows_for(figures)
        for name in GROWTH:
            medians[name][figures["sections"]] = statistics.median(figures[name]["samples"])
        del figures
        gc.unfreeze()
        gc.collect()
    for name in GROWTH:
        rows += growth_rows(f"commands: /briefing {name} p50 by sections,", medians[name])
    return finish(rows, args.json)


if __name__ == "__main__":
    sys.exit(main())
