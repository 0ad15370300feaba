"""What admins naturally write: each accepted form, and each refusal with its exact message.

One fixture per form under tests/fixtures/loader/ (issue 13, section 1).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.briefings.loader import FileResult, display_path, load_file, load_files
from bot.briefings.models import Briefing

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "loader"

Where = tuple[int, int, str, str, str]


def problems_of(result: FileResult) -> list[Where]:
    return [(p.line, p.column, p.severity.value, p.path, p.message) for p in result.problems]


def loaded(name: str) -> Briefing:
    result = load_file(FIXTURES / name)
    assert result.errors == (), result.errors
    assert result.briefing is not None
    return result.briefing


# --- Accepted forms -------------------------------------------------------------------


def test_body_as_text_becomes_paragraphs_and_one_line_reactions_a_list_of_one() -> None:
    section = loaded("body-as-text.yaml").sections[0]

    assert section.body == (
        "Passenger numbers after 20:00\nfell by a third last winter.",
        "The town council asked for the 22:30 crossing to be kept.",
    )
    assert section.reactions == ("Glad the last ferry stays.",)
    assert load_file(FIXTURES / "body-as-text.yaml").problems == ()


def test_dates_with_slashes_are_dates() -> None:
    briefing = loaded("slash-dates.yaml")

    assert briefing.updated == dt.date(2025, 3, 1)
    assert briefing.sections[0].published == dt.date(2025, 2, 20)  # quoted, too
    assert briefing.sections[0].sources[0].published == dt.date(2025, 2, 19)


def test_sections_without_an_id_get_the_one_their_position_gives() -> None:
    briefing = loaded("no-section-ids.yaml")

    assert [s.id for s in briefing.sections] == ["s1", "last-ferry", "s3"]
    assert [briefing.has_default_id(s) for s in briefing.sections] == [True, False, True]
    assert briefing.section("s3") is briefing.sections[2]


def test_a_source_may_have_no_url_and_one_with_no_publisher_either_is_a_warning() -> None:
    result = load_file(FIXTURES / "source-without-url.yaml")

    assert result.briefing is not None
    assert [s.url for s in result.briefing.sections[0].sources] == [None, None]
    assert problems_of(result) == [
        (
            12,
            15,
            "warning",
            "sections[0].sources[1].name",
            "source 'A leaflet on the ferry' has neither a url nor a publisher: readers "
            "cannot tell where it comes from; add one of them",
        )
    ]


def test_a_section_without_id_and_date_is_warned_about_at_its_heading(tmp_path: Path) -> None:
    path = tmp_path / "ferry.yaml"
    path.write_text(
        "title: T\nsummary: S\nupdated: 2025-03-01\nsections:\n  - heading: H\n    answer: A\n",
        encoding="utf-8",
    )

    assert problems_of(load_file(path)) == [
        (5, 14, "warning", "sections[0].heading", "section has no published date")
    ]


# --- Refusals, each with its exact message ----------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "default-id-taken.yaml",
            [
                (
                    9,
                    5,
                    "error",
                    "sections[1]",
                    "this section has no id, and the one its position gives, 's2', is already "
                    "used by sections[0]: give this section an id",
                )
            ],
            id="default-id-taken",
        ),
        pytest.param(
            "tags-as-text.yaml",
            [
                (
                    4,
                    7,
                    "error",
                    "tags",
                    "expected a list, found text; write it as a list: [ferry, harbour]",
                )
            ],
            id="tags-as-text",
        ),
        pytest.param(
            "takeaways-as-text.yaml",
            [
                (
                    9,
                    12,
                    "error",
                    "takeaways",
                    "expected a list, found text; write each item on its own line under "
                    "'takeaways:', starting with '- ', e.g. '- Evening crossings are halved.'",
                )
            ],
            id="takeaways-as-text",
        ),
        pytest.param(
            "bad-language.yaml",
            [
                (
                    4,
                    11,
                    "error",
                    "language",
                    "'English' is not a BCP 47 language tag: write a tag such as en, ja or "
                    "pt-BR; did you mean 'en'?",
                )
            ],
            id="language-name",
        ),
        pytest.param(
            "unquoted-colon.yaml",
            [
                (
                    7,
                    17,
                    "error",
                    "",
                    "invalid YAML: mapping values are not allowed in this context; the value "
                    "of 'answer' holds ': ', which YAML reads as another key: put the whole "
                    'value in quotes, answer: "Note: two crossings after 20:00."',
                )
            ],
            id="unquoted-colon",
        ),
        pytest.param(
            "tab-indent.yaml",
            [
                (
                    6,
                    1,
                    "error",
                    "",
                    "invalid YAML: found a tab character that violates indentation (while "
                    "scanning a plain scalar); this line holds a tab: YAML indents with spaces "
                    "only, so replace it with spaces",
                )
            ],
            id="tab",
        ),
        pytest.param(
            "naive-publish-at.yaml",
            [
                (
                    4,
                    13,
                    "error",
                    "publish_at",
                    "'2025-03-01 09:00' has no time zone: add one, e.g. "
                    "2025-03-01T09:00:00+09:00 (or Z for UTC)",
                ),
                (
                    10,
                    17,
                    "error",
                    "sections[0].expires_at",
                    "'2025-04-01' is a date without a time: write a date, time and time zone, "
                    "e.g. 2025-04-01T09:00:00+09:00",
                ),
            ],
            id="moment-without-time-zone",
        ),
        pytest.param(
            "expiry-before-publish.yaml",
            [
                (
                    10,
                    17,
                    "error",
                    "sections[0].expires_at",
                    "expires_at 2025-03-01T09:00:00+09:00 is not after publish_at "
                    "2025-03-02T00:00:00+00:00: nobody would ever see it",
                )
            ],
            id="expiry-before-publication",
        ),
    ],
)
def test_each_natural_slip_gets_its_exact_message(fixture: str, expected: list[Where]) -> None:
    result = load_file(FIXTURES / fixture)

    assert problems_of(result) == expected
    assert result.briefing is None


def test_the_lowercase_language_name_the_old_message_led_to_is_explained_too(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ferry.yaml"
    text = (FIXTURES / "bad-language.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("English", "english"), encoding="utf-8")

    assert problems_of(load_file(path)) == [
        (
            4,
            11,
            "error",
            "language",
            "'english' is not a BCP 47 language tag: write a tag such as en, ja or pt-BR; "
            "did you mean 'en'?",
        )
    ]


def test_points_as_text_show_the_list_form(tmp_path: Path) -> None:
    # tests/fixtures/loader/wrong-type.yaml has its own case in test_loader.py; this one
    # checks that the example comes from the first line the admin wrote.
    path = tmp_path / "ferry.yaml"
    path.write_text(
        "title: T\nsummary: S\nupdated: 2025-03-01\nsections:\n  - heading: H\n"
        "    answer: A\n    points: |\n\n      First point.\n      Second point.\n",
        encoding="utf-8",
    )

    assert problems_of(load_file(path)) == [
        (
            7,
            13,
            "error",
            "sections[0].points",
            "expected a list, found text; write each item on its own line under 'points:', "
            "starting with '- ', e.g. '- First point.'",
        )
    ]


def test_a_syntax_error_does_not_hide_the_other_files_of_its_folder() -> None:
    folder = FIXTURES / "syntax-error-folder"

    result = load_files([folder])

    reported = [
        (Path(p.file).name, p.line, p.column, p.path, p.message.split(";")[0])
        for p in result.problems
    ]
    assert reported == [
        ("broken.yaml", 2, 14, "", "invalid YAML: mapping values are not allowed in this context"),
        ("typo.yaml", 5, 5, "sections[0].answer", "required field is missing"),
        ("typo.yaml", 7, 5, "sections[0].answr", "unknown key 'answr'"),
    ]
    assert [b.id for b in result.briefings] == ["good"]
    assert result.files[folder / "broken.yaml"].problems[0].file == display_path(
        folder / "broken.yaml"
    )
