"""`error_text` with hostile input: the echo is shortened first, so the guidance always fits.

Each error is raised by the real code path a command runs (library look-ups, schedule,
time zone and topic parsing) with 5,000-character values and 800-item lists.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.briefings.library import Library, load_library
from bot.digests.compose import parse_topics
from bot.digests.schedule import parse_schedule, parse_timezone
from bot.discord.rendering import CONTENT_LIMIT, error_text
from bot.errors import InvalidTopics, UserFacingError

REAL_BRIEFINGS = Path(__file__).resolve().parents[2] / "briefings"
LONG = "hostile " * 625  # 5,000 characters
WORD = "x" * 5000
MARKDOWN = "*_~`|>[](#)" * 455  # 5,005 characters that all need escaping
MANY_TOPICS = ",".join(f"moon-base-{index}" for index in range(800))
TOPICS_GUIDANCE = "Use topic ids from /briefing list, separated by commas, or `all`."
SCHEDULE_GUIDANCE = (
    "is not a schedule I understand. Use daily HH:MM, weekdays HH:MM, weekly mon HH:MM, "
    "or a 5-field cron expression."
)
TIMEZONE_GUIDANCE = (
    "is not a time zone I know. Use an IANA name such as Asia/Tokyo, America/New_York or UTC."
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([REAL_BRIEFINGS])[0]


def raised(action: Callable[[], object]) -> UserFacingError:
    with pytest.raises(UserFacingError) as caught:
        action()
    return caught.value


def cases(library: Library) -> list[tuple[Callable[[], object], str]]:
    """(what a command does with hostile input, the guidance its reply must end with)."""
    briefing = library.find_topic("ukraine")
    found: list[tuple[Callable[[], object], str]] = []
    for value in (LONG, WORD, MARKDOWN):
        found += [
            (lambda v=value: library.find_topic(v), "”."),
            (lambda v=value: library.find_section(briefing, v), "”."),
            (lambda v=value: parse_schedule(v), SCHEDULE_GUIDANCE),
            (lambda v=value: parse_timezone(v), TIMEZONE_GUIDANCE),
            (lambda v=value: parse_topics(v, library), TOPICS_GUIDANCE),
        ]
    found.append((lambda: parse_topics(MANY_TOPICS, library), TOPICS_GUIDANCE))
    found.append((lambda: parse_topics(",".join([WORD] * 800), library), TOPICS_GUIDANCE))
    return found


@pytest.mark.parametrize("locale", ["en-US", "ja"])
def test_every_hostile_value_gets_a_short_reply_that_ends_with_its_guidance(
    library: Library, locale: str
) -> None:
    for action, guidance in cases(library):
        error = raised(action)
        text = error_text(error, locale)
        assert text is not None
        assert len(text) <= 600, text  # far within Discord's 2,000: the echo is bounded
        assert len(text) <= CONTENT_LIMIT
        if locale == "en-US":
            first_line = text.split("\n")[0]
            assert first_line.endswith(guidance), text


def test_800_unknown_topics_name_the_first_ones_and_count_the_rest(library: Library) -> None:
    error = raised(lambda: parse_topics(MANY_TOPICS, library))
    assert isinstance(error, InvalidTopics)
    text = error_text(error, "en-US")
    assert text is not None
    listed = ", ".join(f"`moon-base-{index}`" for index in range(6))
    assert text.split("\n")[0] == f"Unknown topics: {listed} and 794 more. {TOPICS_GUIDANCE}"


def test_a_5000_character_topic_list_item_is_cut_inside_its_code_span(library: Library) -> None:
    text = error_text(raised(lambda: parse_topics(WORD, library)), "en-US")
    assert text == f"Unknown topics: `{'x' * 99}…`. {TOPICS_GUIDANCE}"


def test_the_echo_shows_markdown_literally_and_mentions_stay_text(library: Library) -> None:
    text = error_text(raised(lambda: library.find_topic("**bold** @everyone " + WORD)), "en-US")
    assert text == "No briefing is called “\\*\\*bold\\*\\* @everyone…”."


def test_japanese_replies_keep_their_guidance_too(library: Library) -> None:
    text = error_text(raised(lambda: parse_topics(MANY_TOPICS, library)), "ja")
    assert text is not None
    assert (
        " ほか794件。/briefing list のIDをカンマ区切りで指定するか、`all` を指定してください。"
        in text
    )
