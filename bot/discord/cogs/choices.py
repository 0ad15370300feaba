"""Autocomplete choices shared by the command groups: topics, sections, schedules, zones, tags.

Each function takes what it completes from (the library, a forum's tags) and what was
typed, and returns at most 25 choices whose names and values fit Discord's 100 characters.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import lru_cache

from discord import app_commands

from bot.briefings.library import Library
from bot.delivery.subscriptions import DEFAULT_SCHEDULE
from bot.digests.compose import ALL_TOPICS
from bot.text.split import truncate

CHOICE_LIMIT = 25
CHOICE_TEXT_LIMIT = 100
SCHEDULE_EXAMPLES = (
    DEFAULT_SCHEDULE,
    "weekdays 08:30",
    "weekly mon 09:00",
    "daily 18:00",
    "0 */6 * * *",
)
Choices = list[app_commands.Choice[str]]


def _topic_name(title: str, topic: str) -> str:
    """A topic as a choice shows it: "title · id", within 100 characters."""
    return f"{truncate(title, CHOICE_TEXT_LIMIT - len(topic) - 3)} · {topic}"


def topic_choices_for(library: Library, typed: str) -> Choices:
    """Autocomplete choices for a topic: "title · id", at most 25, each within 100 characters."""
    return [
        app_commands.Choice(name=_topic_name(briefing.title, briefing.id), value=briefing.id)
        for briefing in library.complete_topics(typed, CHOICE_LIMIT)
    ]


def followed_topic_choices_for(library: Library, topics: Iterable[str], typed: str) -> Choices:
    """The member's followed topics whose id or title contains what was typed."""
    wanted = typed.strip().casefold()
    choices = []
    for topic in topics:
        briefing = library.get(topic)
        title = briefing.title if briefing is not None else topic
        if wanted in topic.casefold() or wanted in title.casefold():
            choices.append(app_commands.Choice(name=_topic_name(title, topic), value=topic))
    return choices[:CHOICE_LIMIT]


def section_choices_for(library: Library, topic: str | None, typed: str) -> Choices:
    """Autocomplete choices for a section of the topic typed so far (best guess if inexact)."""
    if not topic or not topic.strip():
        return []
    briefing = library.get(topic)
    if briefing is None:
        best = library.complete_topics(topic, 1)
        if not best:
            return []
        briefing = best[0]
    numbers = {section.id: n for n, section in enumerate(briefing.sections, start=1)}
    return [
        app_commands.Choice(
            name=truncate(f"{numbers[section.id]}. {section.heading}", CHOICE_TEXT_LIMIT),
            value=section.id,
        )
        for section in library.complete_sections(briefing, typed, CHOICE_LIMIT)
    ]


def _last_of_list(typed: str, candidates: Iterable[tuple[str, str]]) -> Choices:
    """Choices that complete the last item of a comma-separated list, keeping the others."""
    head, _, _ = typed.rpartition(",")
    prefix = f"{head.strip()}, " if head.strip() else ""
    choices = []
    for name, value in candidates:
        full = f"{prefix}{value}"
        if len(full) <= CHOICE_TEXT_LIMIT:
            choices.append(app_commands.Choice(name=truncate(name, CHOICE_TEXT_LIMIT), value=full))
    return choices[:CHOICE_LIMIT]


def digest_topic_choices(library: Library, typed: str, all_label: str) -> Choices:
    """Complete the last of comma-separated topics; `all` is offered first, as a whole."""
    head, _, last = typed.rpartition(",")
    last = last.strip()
    candidates: list[tuple[str, str]] = []
    if not head and ALL_TOPICS.startswith(last.lower()):
        candidates.append((f"{ALL_TOPICS} · {all_label}", ALL_TOPICS))
    for briefing in library.complete_topics(last, CHOICE_LIMIT):
        candidates.append((_topic_name(briefing.title, briefing.id), briefing.id))
    return _last_of_list(typed, candidates)


def forum_tag_choices(tags: Iterable[str], typed: str) -> Choices:
    """Complete the last of comma-separated forum tag names, from the forum's own tags."""
    head, _, last = typed.rpartition(",")
    chosen = {part.strip().casefold() for part in head.split(",")}
    wanted = last.strip().casefold()
    names = [name for name in tags if name.casefold() not in chosen]
    found = [name for name in names if name.casefold().startswith(wanted)]
    found += [name for name in names if wanted in name.casefold() and name not in found]
    return _last_of_list(typed, ((name, name) for name in found))


def schedule_choices_for(typed: str) -> Choices:
    """The accepted schedule forms, starting with what was typed."""
    typed = typed.strip()
    options = [typed] if typed and typed not in SCHEDULE_EXAMPLES else []
    options += [s for s in SCHEDULE_EXAMPLES if s.startswith(typed.split(" ")[0].lower())]
    options = options or list(SCHEDULE_EXAMPLES)
    return [
        app_commands.Choice(name=truncate(o, CHOICE_TEXT_LIMIT), value=o[:CHOICE_TEXT_LIMIT])
        for o in options[:CHOICE_LIMIT]
    ]


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def timezone_choices_for(typed: str, default_zone: str) -> Choices:
    """IANA zone names containing what was typed (the default zone and UTC when empty)."""
    typed = typed.strip().lower().replace(" ", "_")
    names = _zone_names()
    found = [n for n in names if n.lower().startswith(typed)]
    found += [n for n in names if typed in n.lower() and n not in found]
    if not typed:
        found = [default_zone, "UTC"]
    return [app_commands.Choice(name=n, value=n) for n in found[:CHOICE_LIMIT]]
