"""Presenting text written in block scalars: line breaks inside a sentence are joined."""

from __future__ import annotations

import datetime as dt

from bot.briefings.library import Library
from bot.briefings.models import Briefing
from bot.briefings.presentation import overview_cards, section_cards, source_line
from bot.briefings.reflow import reflow
from bot.text.cards import iso_date


def test_a_sentence_broken_over_lines_is_joined_and_sentence_ends_stay() -> None:
    text = "The operator says it will review\nthe change in March.\nLate workers are hit."

    assert (
        reflow(text)
        == "The operator says it will review the change in March.\nLate workers are hit."
    )


def test_paragraph_breaks_and_list_like_lines_stay() -> None:
    text = (
        "Late-shift workers are hit hardest\n- the 21:30 crossing\n- the 20:30\n\nSecond\nparagraph"
    )

    assert reflow(text) == (
        "Late-shift workers are hit hardest\n- the 21:30 crossing\n- the 20:30\n\nSecond paragraph"
    )
    assert reflow("✅ one\n✅ two\n1. three\n2) four") == "✅ one\n✅ two\n1. three\n2) four"


def test_japanese_lines_are_joined_without_a_space() -> None:
    assert reflow("交渉の\n進展を期待させる動きですね。\n事態が好転することを願います。") == (
        "交渉の進展を期待させる動きですね。\n事態が好転することを願います。"
    )
    assert reflow("停戦案は\nG7 でも議論") == "停戦案は G7 でも議論"


def test_text_without_line_breaks_is_returned_unchanged() -> None:
    text = "One line, no breaks."
    assert reflow(text) is text


def _briefing(**section: object) -> Briefing:
    return Briefing.model_validate(
        {
            "id": "ferry",
            "title": "Ferry",
            "summary": "The winter timetable\nstarts in November.",
            "updated": dt.date(2025, 3, 1),
            "sections": [{"heading": "What changes", "answer": "Fewer\ncrossings.", **section}],
        }
    )


def test_cards_show_the_joined_text_while_the_briefing_keeps_it_as_written() -> None:
    briefing = _briefing(
        commentary="It will be\nreviewed in March.", body="One\nparagraph.\n\nTwo."
    )
    library = Library([briefing])

    overview = overview_cards(briefing, iso_date)[0]
    section = section_cards(briefing, briefing.sections[0], library, iso_date)[0]

    assert overview.description == "The winter timetable starts in November."
    assert overview.fields[0].value == "Fewer crossings."
    assert "**Fewer crossings.**" in section.description
    values = {field.name: field.value for field in section.fields}
    assert values["Commentary"] == "It will be reviewed in March."
    assert values["Details"] == "One paragraph.\n\nTwo."
    assert briefing.summary == "The winter timetable\nstarts in November."
    assert briefing.sections[0].body == ("One\nparagraph.", "Two.")


def test_a_source_without_url_is_shown_as_plain_text() -> None:
    briefing = _briefing(
        published=dt.date(2025, 2, 1),
        sources=[{"name": "Press conference", "publisher": "Harbour Ferries"}],
    )
    section = briefing.sections[0]

    line = source_line(briefing, section, section.sources[0], Library([briefing]), iso_date)

    assert line == "Press conference — Harbour Ferries · 2025-02-01"
