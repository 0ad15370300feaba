"""Choosing a forum post's tags from what `/digest subscribe` was typed, pure."""

from __future__ import annotations

import pytest

from bot.digests.posts import TAGS_PER_POST, choose_forum_tags
from bot.errors import ForumRequiresTag, TooManyForumTags, UnknownForumTag

FORUM = "<#900>"
TAGS = [
    (101, "News"),
    (102, "Analysis"),
    (103, "速報"),
    (104, "ウクライナ"),
    (105, "Opinion"),
    (106, "Archive"),
    (107, "2025"),
]


def choose(typed: str | None, *, required: bool = False) -> tuple[int, ...]:
    return choose_forum_tags(typed, TAGS, required=required, forum=FORUM)


def test_names_match_whatever_their_case_in_the_order_typed() -> None:
    assert choose("news") == (101,)
    assert choose("ANALYSIS, news") == (102, 101)
    assert choose("oPiNiOn") == (105,)


def test_ids_are_accepted_as_well_as_names() -> None:
    assert choose("103") == (103,)
    assert choose("106, News") == (106, 101)


def test_a_tag_whose_name_is_all_digits_is_found_by_name_when_no_tag_has_that_id() -> None:
    assert choose("2025") == (107,)
    assert choose("107") == (107,)  # its id names it too


def test_japanese_tag_names() -> None:
    assert choose("速報") == (103,)
    assert choose("ウクライナ, 速報") == (104, 103)


def test_the_comma_separated_list_is_trimmed_and_empty_items_skipped() -> None:
    assert choose("  news ,analysis  ,, , 速報 ,") == (101, 102, 103)


def test_a_tag_named_twice_is_applied_once_where_first_typed() -> None:
    assert choose("news, analysis, NEWS, 101") == (101, 102)


def test_duplicates_do_not_count_towards_the_limit() -> None:
    typed = "news, analysis, 速報, ウクライナ, opinion, news, 102, Opinion"
    assert choose(typed) == (101, 102, 103, 104, 105)


def test_exactly_the_limit_is_accepted() -> None:
    assert TAGS_PER_POST == 5
    assert choose("101, 102, 103, 104, 105") == (101, 102, 103, 104, 105)


def test_more_tags_than_a_post_takes_are_refused() -> None:
    with pytest.raises(TooManyForumTags) as refused:
        choose("news, analysis, 速報, ウクライナ, opinion, archive")
    assert refused.value.params == {"limit": TAGS_PER_POST}
    assert refused.value.key == "error.too_many_forum_tags"


def test_an_unknown_tag_is_refused_naming_it_and_the_forums_tags() -> None:
    with pytest.raises(UnknownForumTag) as refused:
        choose("news,  Sports ")
    assert refused.value.params == {
        "tag": "Sports",
        "forum": FORUM,
        "tags": "News, Analysis, 速報, ウクライナ, Opinion, Archive, 2025",
    }
    assert refused.value.key == "error.unknown_forum_tag"


def test_a_number_that_is_no_tags_id_or_name_is_unknown() -> None:
    with pytest.raises(UnknownForumTag) as refused:
        choose("999")
    assert refused.value.params["tag"] == "999"


def test_an_unknown_tag_in_a_forum_without_tags_lists_a_dash() -> None:
    with pytest.raises(UnknownForumTag) as refused:
        choose_forum_tags("news", [], required=False, forum=FORUM)
    assert refused.value.params == {"tag": "news", "forum": FORUM, "tags": "—"}


@pytest.mark.parametrize("typed", [None, "", " , ,"])
def test_a_forum_that_requires_a_tag_refuses_none(typed: str | None) -> None:
    with pytest.raises(ForumRequiresTag) as refused:
        choose(typed, required=True)
    assert refused.value.params == {"forum": FORUM}
    assert refused.value.key == "error.forum_requires_tag"


def test_a_forum_that_requires_a_tag_accepts_one() -> None:
    assert choose("速報", required=True) == (103,)


@pytest.mark.parametrize("typed", [None, "", " , ,"])
def test_no_tags_for_a_forum_that_does_not_require_one(typed: str | None) -> None:
    assert choose(typed) == ()


def test_an_unknown_tag_is_refused_before_a_missing_required_tag() -> None:
    with pytest.raises(UnknownForumTag):
        choose("nope", required=True)


def test_a_superscript_digit_is_an_unknown_tag_not_a_crash() -> None:
    with pytest.raises(UnknownForumTag):
        choose("²")


def test_the_available_tags_may_be_any_iterable() -> None:
    with pytest.raises(UnknownForumTag) as refused:
        choose_forum_tags("nope", iter(TAGS[:2]), required=False, forum=FORUM)
    assert refused.value.params["tags"] == "News, Analysis"
