"""Presentation: labels, dates, links, and cards that always fit Discord and lose nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.briefings.library import Library
from bot.briefings.models import Briefing
from bot.briefings.presentation import (
    briefing_list_cards,
    briefing_pages,
    overview_cards,
    plain_text_preview,
    section_cards,
    source_line,
    sources_cards,
)
from bot.briefings.search_cards import search_cards
from bot.text.cards import (
    CARD_BUDGET,
    DESCRIPTION_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_EMBED_COUNT_LIMIT,
    MESSAGE_EMBED_TOTAL_LIMIT,
    TITLE_LIMIT,
    Card,
    CardWriter,
    Page,
    discord_date,
    escape_markdown,
    iso_date,
    link_url,
    number_pages,
    paginate,
)

SEED = Path(__file__).resolve().parents[2] / "briefings" / "ukraine-ceasefire.yaml"


def seed() -> Briefing:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return Briefing.model_validate({"id": "ukraine-ceasefire", **data})


def make(briefing_id: str = "b", *, language: str = "en", **fields: Any) -> Briefing:
    data: dict[str, Any] = {
        "id": briefing_id,
        "title": f"Title {briefing_id}",
        "summary": "Summary.",
        "language": language,
        "updated": "2025-03-14",
        "sections": [{"id": "s", "heading": "Heading", "answer": "Answer."}],
    }
    data.update(fields)
    return Briefing.model_validate(data)


def all_text(cards: Iterable[Card]) -> str:
    parts = []
    for card in cards:
        parts += [card.title, card.description, card.footer]
        for item in card.fields:
            parts += [item.name, item.value]
    return "\n".join(parts)


def stream(cards: Iterable[Card]) -> str:
    """Descriptions and field values in order, whitespace removed: split text rejoins here."""
    return squash(
        "".join(card.description + "".join(f.value for f in card.fields) for card in cards)
    )


def squash(text: str) -> str:
    return "".join(text.split())


def check_limits(pages: Sequence[Page]) -> None:
    for page in pages:
        assert 1 <= len(page.cards) <= MESSAGE_EMBED_COUNT_LIMIT
        assert sum(card.size for card in page.cards) <= MESSAGE_EMBED_TOTAL_LIMIT
        for card in page.cards:
            assert len(card.title) <= TITLE_LIMIT
            assert len(card.description) <= DESCRIPTION_LIMIT
            assert len(card.footer) <= FOOTER_LIMIT
            assert len(card.fields) <= FIELD_COUNT_LIMIT
            assert card.title.strip() or card.description.strip() or card.fields
            for item in card.fields:
                assert len(item.name.strip()) > 0
                assert len(item.name) <= FIELD_NAME_LIMIT
                assert len(item.value.strip()) > 0
                assert len(item.value) <= FIELD_VALUE_LIMIT


# --- labels, dates, links -----------------------------------------------------------


def test_discord_date_is_a_date_timestamp_at_noon_utc() -> None:
    assert discord_date(dt.date(2025, 3, 14)) == "<t:1741953600:D>"
    assert iso_date(dt.date(2025, 3, 14)) == "2025-03-14"


def test_markdown_in_names_is_escaped_and_urls_stay_inside_the_link() -> None:
    assert escape_markdown("**bold** _x_ [a](b) `c` ~d~ |e| > #") == (
        r"\*\*bold\*\* \_x\_ \[a\]\(b\) \`c\` \~d\~ \|e\| \> \#"
    )
    assert link_url("https://x.example/a (b)") == "https://x.example/a%20%28b%29"


def test_source_line_links_dates_and_marks_stale_sources() -> None:
    briefing = seed()
    library = Library([briefing])
    summit = briefing.sections[1]
    line = source_line(briefing, summit, summit.sources[0], library, discord_date)
    assert line.startswith(
        "[ニュースサイト](https://mainichi.jp/articles/20211205/k00/00m/030/026000c)"
    )
    assert discord_date(dt.date(2022, 1, 4)) in line
    assert "⚠️ 古い情報" in line
    talks = briefing.sections[0]
    fresh = source_line(briefing, talks, talks.sources[0], library, discord_date)
    assert "[時事ドットコム](" in fresh
    assert "— 時事通信社" in fresh
    assert "古い情報" not in fresh


def test_source_names_with_markdown_cannot_break_the_link() -> None:
    briefing = make(
        sections=[
            {
                "id": "s",
                "heading": "H",
                "answer": "A.",
                "sources": [
                    {"name": "[evil](https://x.example) **b**", "url": "https://ok.example/"}
                ],
            }
        ]
    )
    section = briefing.sections[0]
    line = source_line(briefing, section, section.sources[0], Library([briefing]), iso_date)
    assert line == r"[\[evil\]\(https://x.example\) \*\*b\*\*](https://ok.example/)"


def test_japanese_briefing_gets_japanese_labels() -> None:
    briefing = seed()
    library = Library([briefing])
    text = all_text(section_cards(briefing, briefing.sections[1], library, discord_date))
    for label in ("要点", "出典", "公開日", "古い情報"):
        assert label in text
    overview = all_text(overview_cards(briefing, discord_date))
    assert "まとめ" in overview
    assert "更新" in overview


@pytest.mark.parametrize("language", ["en", "en-GB", "fr", "de-DE"])
def test_other_languages_fall_back_to_english_labels(language: str) -> None:
    briefing = make(
        language=language,
        takeaways=["Takeaway one."],
        sections=[
            {
                "id": "s",
                "heading": "Heading",
                "answer": "Answer.",
                "published": "2020-01-01",
                "points": ["Point."],
                "sources": [{"name": "Old", "url": "https://old.example/"}],
            }
        ],
    )
    library = Library([briefing])
    text = all_text(section_cards(briefing, briefing.sections[0], library, discord_date))
    for label in ("Key points", "Sources", "Published", "Stale source"):
        assert label in text
    overview = all_text(overview_cards(briefing, discord_date))
    assert "Takeaways" in overview
    assert "Updated" in overview


# --- what each view holds -----------------------------------------------------------


def test_overview_holds_title_subtitle_summary_answers_takeaways_and_update() -> None:
    briefing = seed()
    cards = overview_cards(briefing, discord_date)
    assert cards[0].title == briefing.title
    text = all_text(cards)
    assert briefing.subtitle is not None
    assert briefing.subtitle in text
    assert briefing.summary in text
    for number, section in enumerate(briefing.sections, start=1):
        assert f"{number}. {section.heading}" in text
        assert section.answer in text
    for takeaway in briefing.takeaways:
        assert f"💡 {takeaway}" in text
    assert discord_date(briefing.updated) in text


def test_section_holds_everything_in_reading_order() -> None:
    briefing = seed()
    section = briefing.sections[0]
    cards = section_cards(briefing, section, Library([briefing]), discord_date)
    assert cards[0].title == f"1. {section.heading}"
    text = all_text(cards)
    ordered = [
        section.question,
        section.answer,
        section.lead,
        *section.points,
        discord_date(dt.date(2025, 3, 14)),
        section.commentary,
        *section.body,
        "[時事ドットコム](https://www.jiji.com/jc/article?k=2025031301087&g=int)",
        *section.reactions,
    ]
    positions = [text.index(part) for part in ordered if part]
    assert positions == sorted(positions)


def test_sources_view_groups_by_section_with_descriptions() -> None:
    briefing = seed()
    library = Library([briefing])
    cards = sources_cards(briefing, briefing.sections, library, discord_date)
    text = all_text(cards)
    assert cards[0].title == f"出典: {briefing.title}"
    for number, section in enumerate(briefing.sections, start=1):
        assert f"{number}. {section.heading}" in text
    assert "時事通信社が運営するニュースサイト" in text
    none = make()
    assert "No sources are cited." in all_text(
        sources_cards(none, none.sections, Library([none]), iso_date)
    )


def test_list_pages_ten_topics_per_card_in_the_users_language() -> None:
    library = Library([make(f"t{i:02d}") for i in range(23)])
    cards = briefing_list_cards(library, "ja", discord_date)
    assert len(cards) == 3
    assert [len(card.fields) for card in cards] == [10, 10, 3]
    assert cards[0].title == "ブリーフィング一覧"
    assert "`t00` · 更新 <t:1741953600:D> · 1セクション" in all_text(cards)
    assert briefing_list_cards(Library([]), "en", iso_date)[0].description == (
        "No briefings are loaded yet."
    )


def test_search_cards_mark_the_match_and_name_the_command() -> None:
    briefing = seed()
    library = Library([briefing])
    hits = library.search("停戦")
    cards = search_cards(library, "停戦", hits, "en")
    text = all_text(cards)
    assert cards[0].title == "Search: 停戦"
    assert "**停戦**" in text
    assert "`/briefing section topic:ukraine-ceasefire section:us-russia-talks`" in text
    empty = search_cards(library, "*zz*", [], "ja")
    assert empty[0].description.startswith("「\\*zz\\*」に一致するものはありません")


def test_pages_are_numbered_in_the_given_language() -> None:
    briefing = seed()
    pages = briefing_pages(briefing, Library([briefing]), discord_date)
    assert [page.section_id for page in pages] == [None, *(s.id for s in briefing.sections)]
    assert [page.cards[-1].footer for page in pages] == [f"{i}/4ページ" for i in range(1, 5)]
    single = number_pages(paginate([Card("t", "d")]), "en")
    assert single[0].cards[0].footer == ""


def test_a_footer_never_pushes_a_full_card_over_the_message_limit() -> None:
    full = Card("t", "x" * (MESSAGE_EMBED_TOTAL_LIMIT - 1 - 20))
    pages = number_pages(paginate([full, Card("u", "y")]), "en")
    assert sum(card.size for card in pages[0].cards) <= MESSAGE_EMBED_TOTAL_LIMIT


def test_a_title_too_long_for_an_embed_is_shown_in_full() -> None:
    title = "T" * 300 + " end"
    briefing = make(title=title)
    cards = overview_cards(briefing, iso_date)
    assert len(cards[0].title) <= TITLE_LIMIT
    assert cards[0].description.startswith(f"**{title}**\n")
    writer = CardWriter(title, "en")
    writer.add_field("Name", "value")
    [card] = writer.finish()
    assert card.description == f"**{title}**"
    assert card.fields[0].value == "value"
    [only] = CardWriter(title, "en").finish()
    assert only.description == f"**{title}**"


def test_long_field_names_keep_the_full_name_in_the_value() -> None:
    writer = CardWriter("t", "en")
    name = "N" * 300
    writer.add_field(name, "value")
    [card] = writer.finish()
    assert len(card.fields[0].name) <= FIELD_NAME_LIMIT
    assert card.fields[0].value == f"**{name}**\nvalue"


def test_plain_text_preview_uses_iso_dates_and_the_same_layout() -> None:
    library = Library([seed()])
    text = plain_text_preview(library, "ukraine", "2")
    assert "2. 米ロ首脳会談の可能性" in text
    assert "2022-01-04" in text
    assert "<t:" not in text
    assert "要点" in plain_text_preview(library, "ukraine", None)


# --- the property: any briefing fits, and nothing is lost ---------------------------

_ALPHABET = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.sampled_from(list("。、！？.,;: \n\n👨‍👩‍👧🇯🇵e\u0301停戦協議@*_`[]()")),
)
_SHORT = st.text(_ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip())
_LONG = st.builds(lambda piece, times: (piece + " ") * times, _SHORT, st.integers(1, 150))
_TEXT = st.one_of(_SHORT, _SHORT, _LONG)
_SLUGS = st.from_regex(r"\A[a-z0-9]{1,8}\Z")


@st.composite
def briefings(draw: st.DrawFn) -> Briefing:
    count = draw(st.integers(1, 6))
    ids = draw(st.lists(_SLUGS, min_size=count, max_size=count, unique=True))
    sections = []
    for section_id in ids:
        sections.append(
            {
                "id": section_id,
                "heading": draw(_TEXT),
                "question": draw(st.none() | _TEXT),
                "answer": draw(_TEXT),
                "lead": draw(st.none() | _TEXT),
                "published": draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
                "points": draw(st.lists(_TEXT, max_size=30)),
                "sources": [
                    {"name": name, "url": f"https://example.com/{n}", "description": note}
                    for n, (name, note) in enumerate(
                        draw(st.lists(st.tuples(_TEXT, st.none() | _SHORT), max_size=8))
                    )
                ],
                "commentary": draw(st.none() | _TEXT),
                "body": draw(st.lists(_TEXT, max_size=8)),
                "reactions": draw(st.lists(_SHORT, max_size=3)),
            }
        )
    return Briefing.model_validate(
        {
            "id": "generated",
            "title": draw(_TEXT),
            "subtitle": draw(st.none() | _TEXT),
            "summary": draw(_TEXT),
            "language": draw(st.sampled_from(["en", "ja", "fr"])),
            "updated": "2026-01-01",
            "sections": sections,
            "takeaways": draw(st.lists(_TEXT, max_size=5)),
            "closing": draw(st.none() | _TEXT),
        }
    )


def assert_shown(title: str, cards: Sequence[Card]) -> None:
    """A title is in an embed title, or (when too long for one) in the text stream."""
    wanted = squash(title)
    assert wanted in squash(all_text(cards)) or wanted in stream(cards)


def assert_recoverable(texts: Iterable[str | None], cards: Sequence[Card]) -> None:
    everything = stream(cards)
    for text in texts:
        if text:
            assert squash(text) in everything


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(briefings())
def test_every_card_fits_and_every_text_is_recoverable(briefing: Briefing) -> None:
    library = Library([briefing])
    pages = briefing_pages(briefing, library, discord_date)
    check_limits(pages)
    overview = [card for page in pages if page.section_id is None for card in page.cards]
    assert_recoverable(
        [
            briefing.subtitle,
            briefing.summary,
            *(s.answer for s in briefing.sections),
            *briefing.takeaways,
            briefing.closing,
        ],
        overview,
    )
    assert_shown(briefing.title, overview)
    for section in briefing.sections:
        cards = [c for p in pages if p.section_id == section.id for c in p.cards]
        assert cards, section.id
        assert_recoverable(
            [
                section.question,
                section.answer,
                section.lead,
                *section.points,
                section.commentary,
                *section.body,
                *section.reactions,
                *(escape_markdown(source.name) for source in section.sources),
            ],
            cards,
        )
        assert_shown(section.heading, cards)
    sources = number_pages(
        paginate(sources_cards(briefing, briefing.sections, library, discord_date)), "en"
    )
    check_limits(sources)
    assert_recoverable(
        [
            escape_markdown(text)
            for section in briefing.sections
            for source in section.sources
            for text in (source.name, source.description)
            if text
        ],
        [card for page in sources for card in page.cards],
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(briefings(), min_size=1, max_size=4), st.sampled_from(["en", "ja"]))
def test_list_and_search_cards_fit(items: list[Briefing], language: str) -> None:
    unique = {f"g{i}": b.model_copy(update={"id": f"g{i}"}) for i, b in enumerate(items)}
    library = Library(unique.values())
    check_limits(
        number_pages(paginate(briefing_list_cards(library, language, discord_date)), language)
    )
    query = items[0].sections[0].heading[:5]
    cards = search_cards(library, query, library.search(query), language)
    check_limits(number_pages(paginate(cards), language))


def test_budget_leaves_room_for_the_page_footer() -> None:
    assert CARD_BUDGET + len("Page 1000/1000 · ") < MESSAGE_EMBED_TOTAL_LIMIT
