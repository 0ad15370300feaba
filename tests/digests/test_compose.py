"""Pure digest composition: what changed, how it is laid out, nonces and due-time plans."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.briefings.library import Library, load_library
from bot.briefings.models import Briefing
from bot.digests.compose import (
    DigestMessage,
    LayoutMemo,
    SectionState,
    compose_digest,
    decode_snapshot,
    digest_messages,
    encode_snapshot,
    parse_topics,
    take_snapshot,
)
from bot.digests.due_plan import plan_due
from bot.digests.listing import subscription_cards, subscription_lines
from bot.digests.nonces import NONCE_LIMIT, blob_hash, delivery_nonce
from bot.digests.records import Subscription
from bot.digests.schedule import parse_schedule
from bot.errors import InvalidTopics
from bot.text.cards import (
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_EMBED_COUNT_LIMIT,
    MESSAGE_EMBED_TOTAL_LIMIT,
    TITLE_LIMIT,
    iso_date,
)
from tests.conftest import REAL_BRIEFINGS

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
DESCRIPTION_LIMIT = 4096
CONTENT_LIMIT = 2000


def briefing(
    briefing_id: str,
    sections: list[dict[str, Any]],
    *,
    title: str | None = None,
    language: str = "en",
    updated: str = "2026-02-01",
) -> Briefing:
    return Briefing.model_validate(
        {
            "id": briefing_id,
            "title": title or f"Title of {briefing_id}",
            "summary": "A summary.",
            "language": language,
            "updated": updated,
            "sections": sections,
        }
    )


def section(section_id: str, answer: str = "An answer.", **extra: Any) -> dict[str, Any]:
    return {"id": section_id, "heading": f"Heading {section_id}", "answer": answer, **extra}


def library(*briefings: Briefing) -> Library:
    return Library(briefings, loaded_at=NOW)


def all_text(messages: list[DigestMessage]) -> str:
    parts = []
    for message in messages:
        parts.append(message.content)
        for card in message.cards:
            parts += [card.title, card.description, card.footer]
            parts += [f"{f.name}\n{f.value}" for f in card.fields]
    return "\n".join(parts)


def assert_within_discord_limits(messages: list[DigestMessage]) -> None:
    for message in messages:
        assert len(message.content) <= CONTENT_LIMIT
        assert 1 <= len(message.cards) <= MESSAGE_EMBED_COUNT_LIMIT
        total = sum(card.size for card in message.cards)
        assert total <= MESSAGE_EMBED_TOTAL_LIMIT
        for card in message.cards:
            assert len(card.title) <= TITLE_LIMIT
            assert len(card.description) <= DESCRIPTION_LIMIT
            assert len(card.footer) <= FOOTER_LIMIT
            assert len(card.fields) <= FIELD_COUNT_LIMIT
            for item in card.fields:
                assert 1 <= len(item.name) <= FIELD_NAME_LIMIT
                assert 1 <= len(item.value.strip()) <= FIELD_VALUE_LIMIT


@pytest.fixture(scope="module")
def seed() -> Library:
    loaded, _ = load_library([REAL_BRIEFINGS], now=NOW)
    return loaded


# --- Topics ------------------------------------------------------------------------------


def test_topics_are_ids_or_aliases_separated_by_commas(seed: Library) -> None:
    assert parse_topics(None, seed) is None
    assert parse_topics("all", seed) is None
    assert parse_topics(" ALL ", seed) is None
    assert parse_topics("ukraine", seed) == ("ukraine-ceasefire",)
    assert parse_topics("ukraine-ceasefire, ukraine", seed) == ("ukraine-ceasefire",)


def test_unknown_topics_are_named_with_suggestions(seed: Library) -> None:
    with pytest.raises(InvalidTopics) as caught:
        parse_topics("ukraine, ukrane-ceasefire, nothing", seed)
    assert caught.value.params["value"] == ["ukrane-ceasefire", "nothing"]
    assert "ukraine-ceasefire" in caught.value.params["suggestions"]
    with pytest.raises(InvalidTopics):
        parse_topics(" , ,", seed)


# --- Composition ---------------------------------------------------------------------------


def test_the_first_digest_covers_every_subscribed_section_as_new(seed: Library) -> None:
    digest = compose_digest(seed, None, "changes", ())
    expected = [(b.id, s.id) for b in seed for s in b.sections]
    assert [(c.briefing.id, c.section.id) for c in digest.changes] == expected
    assert {c.kind for c in digest.changes} == {"new"}
    assert digest.removed == ()
    assert digest.snapshot == take_snapshot(seed)


def test_nothing_changed_means_an_empty_digest(seed: Library) -> None:
    digest = compose_digest(seed, None, "changes", take_snapshot(seed))
    assert digest.is_empty
    assert digest_messages(digest, seed, "en", iso_date) == []


def test_only_new_changed_and_removed_sections_are_reported() -> None:
    before = library(briefing("alpha", [section("one"), section("two"), section("three")]))
    after = library(
        briefing("alpha", [section("one"), section("two", "A new answer."), section("four")])
    )
    digest = compose_digest(after, None, "changes", take_snapshot(before))
    assert [(c.section.id, c.kind) for c in digest.changes] == [
        ("two", "changed"),
        ("four", "new"),
    ]
    assert [(r.briefing_id, r.heading) for r in digest.removed] == [("alpha", "Heading three")]
    assert digest.snapshot == take_snapshot(after)


def test_a_removed_briefing_lists_its_sections_by_heading() -> None:
    before = library(briefing("alpha", [section("one")]), briefing("beta", [section("x")]))
    after = library(briefing("alpha", [section("one")]))
    digest = compose_digest(after, None, "changes", take_snapshot(before))
    assert digest.changes == ()
    assert [(r.briefing_id, r.heading) for r in digest.removed] == [("beta", "Heading x")]
    text = all_text(digest_messages(digest, after, "en", iso_date))
    assert "beta" in text
    assert "Heading x" in text


def test_topics_limit_what_is_new_and_what_counts_as_removed() -> None:
    alpha = briefing("alpha", [section("one")])
    beta = briefing("beta", [section("x")])
    previous = take_snapshot([alpha, beta])
    # Narrowing the topics to alpha does not announce beta's sections as removed.
    digest = compose_digest(library(alpha, beta), ("alpha",), "changes", previous)
    assert digest.is_empty
    assert digest.snapshot == take_snapshot([alpha])
    gamma = briefing("gamma", [section("g")])
    widened = compose_digest(library(alpha, beta, gamma), ("alpha", "gamma"), "changes", previous)
    assert [(c.briefing.id, c.kind) for c in widened.changes] == [("gamma", "new")]


def test_full_mode_summarises_every_subscribed_briefing(seed: Library) -> None:
    digest = compose_digest(seed, None, "full", take_snapshot(seed))
    assert not digest.is_empty
    messages = digest_messages(digest, seed, "en", iso_date)
    text = all_text(messages)
    for b in seed:
        assert b.title[:200] in text
        assert b.updated.isoformat() in text
        for s in b.sections:
            assert s.heading in text
            assert s.answer in text
    assert messages[0].content == "**Digest**"


# --- Layout ------------------------------------------------------------------------------


def test_a_change_shows_title_heading_answer_mark_first_source_and_stale_marker(
    seed: Library,
) -> None:
    [messages] = [digest_messages(compose_digest(seed, None, "changes", ()), seed, "en", iso_date)]
    assert messages[0].content == "**Digest: what changed**"
    cards = [card for message in messages for card in message.cards]
    fields = [f for card in cards for f in card.fields]
    b = next(iter(seed))
    assert cards[0].title.startswith(b.title[:50]) or b.title in cards[0].description
    for s, item in zip(b.sections, fields, strict=False):
        assert item.name == f"🆕 新規 · {s.heading}"  # the briefing is Japanese
        assert f"**{s.answer}**" in item.value
        first = s.sources[0]
        assert first.url in item.value
        for other in s.sources[1:]:
            assert other.url not in item.value
    stale = b.section("summit-prospects")
    assert stale is not None
    stale_field = next(f for f in fields if stale.heading in f.name)
    assert "⚠️ 古い情報" in stale_field.value
    fresh_field = next(f for f in fields if b.sections[0].heading in f.name)
    assert "⚠️" not in fresh_field.value
    assert cards[-1].footer == "Read any briefing in full with /briefing show"


def test_marks_follow_the_briefing_language_and_chrome_the_subscription() -> None:
    old = library(briefing("alpha", [section("one")]))
    new = library(briefing("alpha", [section("one", "Changed."), section("two")]))
    messages = digest_messages(
        compose_digest(new, None, "changes", take_snapshot(old)), new, "ja", iso_date
    )
    names = [f.name for m in messages for c in m.cards for f in c.fields]
    assert names == ["✏️ Updated · Heading one", "🆕 New · Heading two"]
    assert messages[0].content == "**ダイジェスト: 更新内容**"
    assert messages[-1].cards[-1].footer == "全文は /briefing show で読めます"


def test_removed_headings_are_shown_literally() -> None:
    before = library(briefing("alpha", [section("one"), {**section("two"), "heading": "*a_b*"}]))
    after = library(briefing("alpha", [section("one")]))
    messages = digest_messages(
        compose_digest(after, None, "changes", take_snapshot(before)), after, "en", iso_date
    )
    [item] = [f for m in messages for c in m.cards for f in c.fields]
    assert item.name == "🗑️ Removed"
    assert item.value == "• ~~\\*a\\_b\\*~~"


def test_a_long_digest_becomes_several_messages_within_every_limit() -> None:
    long_answer = "Long answer sentence. " * 40
    briefings = [
        briefing(
            f"topic-{n}",
            [
                section(
                    f"s{i}",
                    long_answer,
                    sources=[{"name": "Src", "url": f"https://example.com/{n}/{i}"}],
                )
                for i in range(30)
            ],
            title=f"Topic {n} " + "x" * 300,
        )
        for n in range(6)
    ]
    lib = library(*briefings)
    messages = digest_messages(compose_digest(lib, None, "changes", ()), lib, "en", iso_date)
    assert len(messages) > 5
    assert_within_discord_limits(messages)
    assert [m.content for m in messages][:2] == ["**Digest: what changed**", ""]
    footers = [m.cards[-1].footer for m in messages]
    assert footers[0] == f"Page 1/{len(messages)}"
    assert footers[-1] == (
        f"Read any briefing in full with /briefing show · Page {len(messages)}/{len(messages)}"
    )
    text = all_text(messages)
    for b in briefings:
        for s in b.sections:
            assert s.heading in text
            assert f"https://example.com/{b.id[6:]}/{s.id[1:]}" in text


@pytest.mark.parametrize("step", [7, 31, 50])
def test_cards_are_packed_up_to_the_message_limits_and_no_further(step: int) -> None:
    # Cards of about 2,400 to 3,600 characters: some pairs fit one message, some do not.
    briefings = [
        briefing(f"t{n:02d}", [section("s", ("word " * 1000)[: 2400 + step * n])])
        for n in range(24)
    ]
    lib = library(*briefings)
    messages = digest_messages(compose_digest(lib, None, "changes", ()), lib, "en", iso_date)
    assert_within_discord_limits(messages)
    sizes = [m.size for m in messages]
    assert any(len(m.cards) >= 2 for m in messages)
    assert max(sizes) > MESSAGE_EMBED_TOTAL_LIMIT - 1500
    for before, after in itertools.pairwise(messages):
        # Greedy: the next message's first card would not have fitted the previous one.
        room = MESSAGE_EMBED_TOTAL_LIMIT - before.size - 64
        assert after.cards[0].size > room or len(before.cards) == MESSAGE_EMBED_COUNT_LIMIT


words = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "So"]),
    min_size=1,
    max_size=80,
).filter(lambda t: t.strip() != "")


@st.composite
def libraries(draw: st.DrawFn) -> Library:
    count = draw(st.integers(1, 4))
    result = []
    for n in range(count):
        sections = [
            section(
                f"s{i}",
                " ".join(draw(st.lists(words, min_size=1, max_size=draw(st.integers(1, 60))))),
                heading=draw(words) * draw(st.integers(1, 5)),
            )
            for i in range(draw(st.integers(1, 40)))
        ]
        result.append(briefing(f"b{n}", sections, title=draw(words) * draw(st.integers(1, 6))))
    return library(*result)


@settings(max_examples=60, deadline=None)
@given(libraries(), st.sampled_from(["changes", "full"]), st.sampled_from(["en", "ja"]))
def test_any_digest_obeys_every_discord_limit(lib: Library, mode: str, language: str) -> None:
    digest = compose_digest(lib, None, "full" if mode == "full" else "changes", ())
    messages = digest_messages(digest, lib, language, iso_date)
    assert messages
    assert_within_discord_limits(messages)
    text = all_text(messages)
    for b in lib:
        for s in b.sections:
            assert s.answer[:20] in text


def test_a_shared_layout_memo_changes_no_digest() -> None:
    alpha = briefing("alpha", [section("one"), section("two")], language="ja")
    beta = briefing("beta", [section("x", sources=[{"name": "S", "url": "https://s.example/"}])])
    gamma = briefing("gamma", [section("g")])
    lib = library(alpha, beta, gamma)
    earlier = take_snapshot([briefing("alpha", [section("one", "Old."), section("gone")]), beta])
    memo = LayoutMemo(lib)
    cases = [
        (topics, mode, previous, language)
        for topics in (None, ("alpha",), ("alpha", "beta"), ("beta", "gamma"))
        for mode in ("changes", "full")
        for previous in ((), earlier)
        for language in ("en", "ja")
    ]
    for topics, mode, previous, language in cases * 2:  # the second round hits the memo
        plain = compose_digest(lib, topics, mode, previous)
        shared = compose_digest(lib, topics, mode, previous, memo)
        assert shared == plain
        assert digest_messages(shared, lib, language, iso_date, memo) == digest_messages(
            plain, lib, language, iso_date
        )
    assert {key[1] for key in memo.cards} == {"alpha", "beta", "gamma"}
    assert set(memo.snapshots) == {"alpha", "beta", "gamma"}


@pytest.mark.parametrize(
    "topics", [None, ("alpha",), ("gamma", "alpha"), ("beta", "alpha", "gamma"), ("missing",)]
)
def test_the_memo_encodes_current_snapshots_exactly_as_encode_snapshot(
    topics: tuple[str, ...] | None,
) -> None:
    lib = library(
        briefing("gamma", [section("z"), section("a")]),
        briefing("alpha", [section("two"), section("one", "Ünïcode «answer»")]),
        briefing("beta", [section("x")], language="ja"),
    )
    memo = LayoutMemo(lib)
    expected = encode_snapshot(compose_digest(lib, topics, "changes", ()).snapshot)
    for _ in range(2):
        assert memo.current_snapshot(topics) == (expected, blob_hash(expected))


# --- Snapshots and nonces ----------------------------------------------------------------


def test_snapshots_round_trip_in_canonical_order(seed: Library) -> None:
    snapshot = take_snapshot(seed)
    text = encode_snapshot(snapshot)
    assert encode_snapshot(reversed(snapshot)) == text
    assert sorted(decode_snapshot(text), key=lambda s: (s.briefing_id, s.section_id)) == sorted(
        snapshot, key=lambda s: (s.briefing_id, s.section_id)
    )
    assert decode_snapshot(None) == ()
    assert decode_snapshot(encode_snapshot([SectionState("a", "b", "c", "ü")]))[0].heading == "ü"


def test_nonces_are_deterministic_short_and_distinct() -> None:
    due = dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)
    assert delivery_nonce(1, due, 0) == delivery_nonce(1, due, 0)
    keys = {
        delivery_nonce(sub, due + dt.timedelta(minutes=m), i)
        for sub in (1, 2, 36, 2**40)
        for m in (0, 1, 60)
        for i in (0, 1, 9, 35)
    }
    assert len(keys) == 4 * 3 * 4
    biggest = delivery_nonce(2**63 - 1, dt.datetime(9999, 12, 31, tzinfo=dt.UTC), 99)
    assert len(biggest) <= NONCE_LIMIT
    with pytest.raises(ValueError, match="timezone-aware"):
        delivery_nonce(1, dt.datetime(2026, 1, 1), 0)


# --- Due-time plans ----------------------------------------------------------------------

NY = ZoneInfo("America/New_York")
HOUR = dt.timedelta(hours=1)
WINDOW = 6 * HOUR


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_a_digest_due_now_is_delivered_for_its_due_time() -> None:
    daily = parse_schedule("daily 09:00")
    due = utc(2026, 3, 1, 9)
    plan = plan_due(daily, ZoneInfo("UTC"), due, due + dt.timedelta(seconds=30), WINDOW)
    assert (plan.deliver_at, plan.next_due, plan.missed, plan.coalesced) == (
        due,
        utc(2026, 3, 2, 9),
        None,
        0,
    )
    with pytest.raises(ValueError, match="not due"):
        plan_due(daily, ZoneInfo("UTC"), due, due - HOUR, WINDOW)


def test_several_recent_due_times_become_one_digest() -> None:
    hourly = parse_schedule("0 * * * *")
    due = utc(2026, 3, 1, 9)
    plan = plan_due(hourly, ZoneInfo("UTC"), due, utc(2026, 3, 1, 12, 30), WINDOW)
    assert (plan.deliver_at, plan.next_due, plan.missed, plan.coalesced) == (
        utc(2026, 3, 1, 12),
        utc(2026, 3, 1, 13),
        None,
        3,
    )


def test_due_times_older_than_the_window_are_skipped() -> None:
    hourly = parse_schedule("0 * * * *")
    due = utc(2026, 3, 1, 0)
    now = utc(2026, 3, 1, 10, 30)
    plan = plan_due(hourly, ZoneInfo("UTC"), due, now, WINDOW)
    assert plan.deliver_at == utc(2026, 3, 1, 10)
    assert plan.missed == (due, now - WINDOW)
    daily = parse_schedule("daily 09:00")
    late = plan_due(daily, ZoneInfo("UTC"), utc(2026, 3, 1, 9), utc(2026, 3, 3, 8), WINDOW)
    assert late.deliver_at is None
    assert late.missed == (utc(2026, 3, 1, 9), utc(2026, 3, 3, 2))
    assert late.next_due == utc(2026, 3, 3, 9)


def test_plans_follow_dst_in_new_york() -> None:
    daily = parse_schedule("daily 02:30")
    # 2026-03-08: 02:30 does not exist; it fires at 03:30 EDT (07:30 UTC), then 06:30 UTC.
    spring = plan_due(daily, NY, utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 7, 30), WINDOW)
    assert (spring.deliver_at, spring.next_due) == (utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30))
    one_thirty = parse_schedule("daily 01:30")
    # 2026-11-01: 01:30 happens twice; only the first (EDT, 05:30 UTC) fires.
    autumn = plan_due(one_thirty, NY, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 30), WINDOW)
    assert (autumn.deliver_at, autumn.next_due) == (
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
    )


# --- What /digest list says -------------------------------------------------------------


def listed(**changes: Any) -> Subscription:
    base = Subscription(
        id=1,
        guild_id=2,
        channel_id=3,
        topics=("alpha", "beta"),
        schedule="daily 09:00",
        timezone="Asia/Tokyo",
        mode="changes",
        language="en",
        state="active",
        next_due=utc(2026, 3, 2, 0),
    )
    return replace(base, **changes)


def test_list_lines_show_state_topics_schedule_and_next_due() -> None:
    lines = subscription_lines(listed(), "en", 6)
    due = int(utc(2026, 3, 2, 0).timestamp())
    assert lines == [
        "✅ Active",
        "Topics: `alpha`, `beta`",
        "Schedule: `daily 09:00` (Asia/Tokyo) · changes only",
        f"Next digest: <t:{due}:f> (<t:{due}:R>)",
    ]
    assert subscription_lines(listed(topics=None, mode="full"), "ja", 6)[1:3] == [
        "トピック: すべてのトピック",
        "スケジュール: `daily 09:00`(Asia/Tokyo)・全体の要約",
    ]


def test_list_lines_say_why_a_subscription_fails_and_what_was_skipped() -> None:
    failing = listed(
        state="failing",
        failure_code=50013,
        failure_reason="Missing Permissions (403, 50013)",
        missed_from=utc(2026, 3, 1, 0),
        missed_until=utc(2026, 3, 1, 3),
        retry_error="Internal Server Error (500)",
        last_digest_at=utc(2026, 2, 28, 0),
    )
    lines = subscription_lines(failing, "en", 6)
    assert lines[0] == "⚠️ Failing: I may not post there (Send Messages or Embed Links)"
    assert not any(line.startswith("Next digest") for line in lines)
    assert any(line.startswith("Last digest: <t:") for line in lines)
    assert any("Internal Server Error (500)" in line for line in lines)
    assert lines[-1].startswith("Skipped: digests due between <t:")
    assert lines[-1].endswith("(the bot was offline for more than 6 h).")
    other = listed(state="failing", failure_code=40000, failure_reason="Odd (400, 40000)")
    assert subscription_lines(other, "en", 6)[0] == "⚠️ Failing: Odd (400, 40000)"
    assert subscription_lines(listed(state="paused"), "en", 6)[0] == "⏸️ Paused"


def test_the_list_has_one_field_per_subscription_or_says_there_are_none() -> None:
    [empty] = subscription_cards([], "en", {}, 6)
    assert empty.title == "Digest subscriptions"
    assert "/digest subscribe" in empty.description
    [card] = subscription_cards([listed(), listed(id=2, channel_id=4)], "en", {3: "news"}, 6)
    assert [f.name for f in card.fields] == ["#news", "#4"]
