"""`echo`: what a user typed, shortened for an error message first, whatever its type."""

from __future__ import annotations

import pytest

from bot.text.cards import escape_markdown
from bot.text.echo import ECHO_LIMIT, echo


def test_short_text_is_echoed_as_typed() -> None:
    assert echo("ukraine", "en") == "ukraine"
    assert echo("", "en") == ""


def test_long_text_is_cut_to_the_limit_at_a_word_with_an_ellipsis() -> None:
    shown = echo("harbour ferry " * 400, "en")
    assert len(shown) <= ECHO_LIMIT
    assert shown.endswith("ferry…")
    assert shown.startswith("harbour ferry harbour")


def test_a_word_of_5000_characters_is_cut_inside_it() -> None:
    assert echo("x" * 5000, "en") == "x" * (ECHO_LIMIT - 1) + "…"


def test_line_breaks_and_runs_of_whitespace_become_single_spaces() -> None:
    assert echo("a\n\n\tb   c", "en") == "a b c"


def test_a_start_shortened_only_by_collapsing_whitespace_still_shows_it_was_cut() -> None:
    # 5,000 spaces then a word: the part looked at is all whitespace.
    assert echo(" " * 5000 + "tail", "en") == "…"
    assert echo("head" + " " * 5000 + "tail", "en") == "head…"


def test_escape_applies_after_shortening() -> None:
    assert echo("*bold* " * 1000, "en", escape=escape_markdown).startswith("\\*bold\\* \\*bold")
    assert len(echo("*" * 5000, "en", escape=escape_markdown)) <= 2 * ECHO_LIMIT


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (42, "42"),
        (-3.5, "-3.5"),
        (True, "True"),
        (None, "None"),
        (10**120, "1" + "0" * (ECHO_LIMIT - 2) + "…"),
    ],
)
def test_numbers_and_other_values_are_echoed_as_text_within_the_limit(
    value: object, shown: str
) -> None:
    assert echo(value, "en") == shown


def test_a_number_too_long_for_decimal_text_is_still_echoed() -> None:
    shown = echo(10**5000, "en")
    assert shown.startswith("0x")
    assert shown.endswith("…")
    assert len(shown) <= ECHO_LIMIT


def test_an_object_whose_text_fails_is_named_by_its_type() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no text for you")

    assert echo(Hostile(), "en") == "Hostile"


def test_a_short_list_shows_every_item_as_code() -> None:
    assert echo(["moon-base", "mars"], "en") == "`moon-base`, `mars`"
    assert echo(("a",), "en") == "`a`"
    assert echo([], "en") == ""


def test_800_items_show_as_many_as_fit_then_how_many_more() -> None:
    items = [f"topic-{index}" for index in range(800)]
    shown = echo(items, "en")
    listed = ", ".join(f"`topic-{index}`" for index in range(9))
    assert shown == f"{listed} and 791 more"
    assert len(listed) <= ECHO_LIMIT


def test_the_count_of_the_rest_follows_the_language() -> None:
    assert echo([f"t{index}" for index in range(1500)], "ja").endswith(" ほか1,484件")
    assert echo([f"t{index}" for index in range(1500)], "en").endswith(" and 1,484 more")


def test_items_of_5000_characters_are_cut_each_and_the_first_always_shows() -> None:
    shown = echo(["y" * 5000] * 800, "en")
    assert shown == "`" + "y" * (ECHO_LIMIT - 1) + "…` and 799 more"


def test_a_backtick_in_an_item_cannot_end_its_code_span() -> None:
    assert echo(["a`b", "``"], "en") == "`a'b`, `''`"


def test_items_of_any_type_are_shown_as_text() -> None:
    assert echo([1, 2.5, None], "en") == "`1`, `2.5`, `None`"
