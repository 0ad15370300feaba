"""A section's content hash is what tells digests a section changed: it must stay put.

Every deployment stores the hashes its channels last saw. If the same section hashed
differently after an upgrade (a model turned dataclass, a field dumped another way),
every channel would be sent every section again as "changed".
"""

from __future__ import annotations

from typing import Any

from bot.briefings.models import Briefing

SECTION: dict[str, Any] = {
    "id": "fares",
    "heading": "運賃",
    "question": "いくら?",
    "answer": "据え置き。",
    "published": "2025/04/12",
    "points": ["一点目", "二点目"],
    "body": "第一段落。\n\n第二段落。",
    "commentary": "c",
    "reactions": ["r"],
    "publish_at": "2025-04-12T09:00:00+09:00",
    "sources": [
        {"name": "湾岸テレビ", "url": "https://wangan-tv.example/a", "published": "2025-04-11"},
        {"name": "みなと市", "publisher": "市"},
    ],
}
# The hash this section has had since digests were first stored.
PINNED = "968a55dfd20a99963278b773bac838b25313783f6f659321a97c1182bd35cc3e"


def briefing(**section: Any) -> Briefing:
    """A one-section briefing around SECTION, with some of its fields replaced."""
    return Briefing.model_validate(
        {
            "id": "harbour",
            "title": "港湾",
            "summary": "s",
            "updated": "2025-04-20",
            "sections": [{**SECTION, **section}],
        }
    )


def test_a_section_hashes_as_it_always_has() -> None:
    assert briefing().sections[0].content_hash == PINNED


def test_what_a_reader_sees_changes_the_hash_and_when_it_shows_does_not() -> None:
    sources = [{**SECTION["sources"][0], "name": "湾岸新聞"}, SECTION["sources"][1]]
    assert briefing(sources=sources).sections[0].content_hash != PINNED
    assert briefing(points=["一点目"]).sections[0].content_hash != PINNED
    later = briefing(publish_at="2025-05-01T09:00:00+09:00", expires_at="2026-01-01T00:00:00Z")
    assert later.sections[0].content_hash == PINNED
