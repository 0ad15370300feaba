"""Editing cards: a preview of any size fits in one message under its buttons."""

from __future__ import annotations

from pathlib import Path

from bot.authoring.changes import BriefingFiles
from bot.briefings.loader import load_file
from bot.discord.authoring_views import Origin, preview_card, problem_text
from bot.text.cards import CARD_BUDGET, FIELD_COUNT_LIMIT, FIELD_VALUE_LIMIT

LONG_ID = "s" + "-x" * 29  # 59 characters, and the number: at most the 64 an id may have


def huge_briefing(sections: int, prefix: str = "s", answer: str = "An answer.") -> str:
    lines = [
        "title: Everything at once",
        "summary: A briefing as large as a briefing may be.",
        "updated: 2026-11-01",
        "sections:",
    ]
    for number in range(sections):
        lines += [
            f"  - id: {prefix}{LONG_ID}{number}",
            f"    heading: '{'*_[heading]_* ' * 25}{number}'",
            f"    answer: {answer}",
        ]
    return "\n".join(lines) + "\n"


def test_a_preview_of_375_changed_sections_and_100_warnings_fits_on_one_card(
    tmp_path: Path,
) -> None:
    (tmp_path / "old").mkdir()
    old = tmp_path / "old" / "everything.yaml"
    kept = huge_briefing(125, answer="An older answer.").split("sections:\n")[1]
    old.write_text(huge_briefing(125, prefix="o") + kept, encoding="utf-8")
    served = load_file(old).briefing
    assert served is not None
    review = BriefingFiles(tmp_path).review(
        "everything",
        huge_briefing(250).encode(),
        served=served,
        others={},
        stale_after_days=365,
    )
    assert review.errors == ()
    assert len(review.warnings) == 101  # 100 undated sections, then how many more there are
    card = preview_card(review, Origin(upload="everything.yaml"), served=True, language="en")
    assert card.size <= CARD_BUDGET
    assert len(card.fields) <= FIELD_COUNT_LIMIT
    assert all(len(field.value) <= FIELD_VALUE_LIMIT for field in card.fields)

    def value(name: str) -> str:
        return "\n".join(f.value for f in card.fields if f.name.startswith(name))

    # Ten lines of each would not fit in one message, so five of each are listed.
    assert value("Sections added (125)").endswith("\n… and 120 more")
    assert value("Sections removed (125)").endswith("\n… and 120 more")
    assert value("Sections edited (125)").endswith(": answer\n… and 120 more")
    warnings = value("Warnings (101)").splitlines()
    assert warnings[-1] == "… and 96 more"
    assert all(line.startswith("⚠️ `") and line.endswith("`") for line in warnings[:-1])


def test_a_problem_is_shown_as_line_column_field_and_message(tmp_path: Path) -> None:
    text = b"title: t\nsummary: s\nupdated: 2026-11-01\nsections:\n  - id: a\n    answr: x\n"
    review = BriefingFiles(tmp_path).review("x", text, served=None, others={}, stale_after_days=365)
    assert [problem_text(p) for p in review.errors] == [
        "5:5: sections[0].answer: required field is missing",
        "5:5: sections[0].heading: required field is missing",
        "6:5: sections[0].answr: unknown key 'answr'; did you mean 'answer'?",
    ]
