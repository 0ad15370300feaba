"""Deterministic synthetic data for benchmarks: briefing files and digest subscriptions.

Everything is drawn from `random.Random(seed)`, so the same arguments always give the
same files and the same subscriptions. Briefings are shaped like the seed briefing
(mostly Japanese, some English): 3-10 sections, 1-3 sources each, ✅ points, body
paragraphs, reactions, some stale sources and some undated sections.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

SCHEMA_LINE = "# yaml-language-server: $schema=briefing.schema.json\n"

_JA: dict[str, list[Any]] = {
    "subjects": [
        "政府",
        "市当局",
        "専門家",
        "関係者",
        "企業各社",
        "住民団体",
        "国際機関",
        "研究チーム",
        "与野党",
        "業界団体",
        "地元自治体",
        "中央銀行",
    ],
    "topics": [
        "新たな支援策",
        "物流網の再編",
        "エネルギー価格",
        "観光需要の回復",
        "防災計画",
        "半導体の供給",
        "港湾の整備",
        "医療体制",
        "教育改革",
        "気候対策",
        "賃上げの動き",
        "停戦協議",
        "選挙制度",
        "水産物の輸出",
    ],
    "predicates": [
        "について協議を続けている。",
        "の見直しを発表した。",
        "に強い懸念を示している。",
        "の影響を詳しく分析している。",
        "を来月にも公表する見通しだ。",
        "をめぐり意見が分かれている。",
        "に向けた準備を本格化させた。",
        "の進捗を定期的に報告するとしている。",
    ],
    "openers": ["一方で、", "さらに、", "また、", "これに対し、", "関係筋によると、", ""],
    "reactions": [
        "なんか、希望が持てる気がする!頑張ってほしいな。",
        "うわー、状況がどんどん難しくなってる気がする...。",
        "今後の展開から目が離せないですね。注目です。",
        "生活への影響が心配。早く落ち着いてほしい。",
    ],
    "publishers": ["時事通信社", "共同通信社", "東京新聞", "毎日新聞社", "地方紙", None],
    "names": ["時事ドットコム", "ニュースサイト", "東京新聞", "地域ニュース", "経済ニュース"],
}

_EN: dict[str, list[Any]] = {
    "subjects": [
        "The government",
        "City officials",
        "Analysts",
        "Local residents",
        "Industry groups",
        "The central bank",
        "Researchers",
        "Regional leaders",
    ],
    "topics": [
        "the new support package",
        "the freight network overhaul",
        "energy prices",
        "the tourism recovery",
        "the flood defence plan",
        "chip supply",
        "the harbour upgrade",
        "ceasefire talks",
        "the school reform",
    ],
    "predicates": [
        "are still under discussion.",
        "were revised this week.",
        "raise serious concerns.",
        "are being analysed in detail.",
        "will be published next month.",
        "divide opinion sharply.",
    ],
    "openers": ["Meanwhile, ", "In addition, ", "However, ", "According to sources, ", ""],
    "reactions": [
        "Finally some good news, fingers crossed.",
        "This keeps getting harder to follow.",
        "Worth watching closely over the next weeks.",
    ],
    "publishers": ["Example News Agency", "Harbour Times", "Daily Example", None],
    "names": ["Example News", "Harbour Times Online", "Regional Wire", "Policy Digest"],
}


class _Literal(str):
    """A string written as a YAML literal block (`|-`), as editors write commentary."""


class _Dumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_Dumper.add_representer(_Literal, _literal)


def _sentence(rng: random.Random, words: dict[str, Any], language: str) -> str:
    subject = rng.choice(words["subjects"])
    topic = rng.choice(words["topics"])
    predicate = rng.choice(words["predicates"])
    opener = rng.choice(words["openers"])
    if language == "ja":
        return f"{opener}{subject}は{topic}{predicate}"
    return f"{opener}{subject} say {topic} {predicate}"


def _text(rng: random.Random, words: dict[str, Any], language: str, sentences: int) -> str:
    joiner = "" if language == "ja" else " "
    return joiner.join(_sentence(rng, words, language) for _ in range(sentences))


def _question(rng: random.Random, words: dict[str, Any], language: str) -> str:
    topic = rng.choice(words["topics"])
    if language == "ja":
        return f"{topic}、今後どうなる?{rng.choice(words['subjects'])}の動きに注目!"
    return f"What next for {topic}? All eyes on {rng.choice(words['subjects']).lower()}!"


def briefing_document(index: int, rng: random.Random, *, english: bool = False) -> dict[str, Any]:
    """One briefing as the plain data of its YAML file (without `id`: the file name gives it)."""
    language = "en" if english else "ja"
    words = _EN if english else _JA
    updated = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    sections = []
    for number in range(rng.randint(3, 10)):
        published = updated - dt.timedelta(days=rng.choice([0, 1, 3, 10, 40, 200, 500, 1200]))
        section: dict[str, Any] = {
            "id": f"part-{number + 1}",
            "heading": rng.choice(words["topics"]) + ("の行方" if language == "ja" else ""),
            "question": _question(rng, words, language),
            "answer": _sentence(rng, words, language),
            "lead": _sentence(rng, words, language),
        }
        if rng.random() < 0.8:
            section["published"] = published
        section["points"] = [_text(rng, words, language, 2) for _ in range(rng.randint(2, 4))]
        sources = []
        for source_number in range(rng.randint(1, 3)):
            source: dict[str, Any] = {"name": rng.choice(words["names"])}
            publisher = rng.choice(words["publishers"])
            if publisher:
                source["publisher"] = publisher
            source["url"] = (
                f"https://news{rng.randrange(1, 40)}.example/articles/"
                f"{updated:%Y%m%d}/{index:05d}-{number}-{source_number}"
            )
            if rng.random() < 0.2:
                source["published"] = published - dt.timedelta(days=rng.randrange(0, 900))
            sources.append(source)
        section["sources"] = sources
        section["commentary"] = _Literal(
            "\n".join(_sentence(rng, words, language) for _ in range(2))
        )
        section["body"] = [_text(rng, words, language, 2) for _ in range(rng.randint(2, 5))]
        section["reactions"] = rng.sample(words["reactions"], rng.randint(0, 2))
        sections.append(section)
    topic = rng.choice(words["topics"])
    return {
        "title": (
            f"{topic}の行方? {rng.choice(words['subjects'])}の動きと今後の展望"
            if language == "ja"
            else f"What next for {topic}? The latest moves and what to expect"
        ),
        "subtitle": _sentence(rng, words, language),
        "summary": _text(rng, words, language, 4),
        "language": language,
        "tags": rng.sample(words["topics"], 3),
        "aliases": [f"topic{index}"],
        "updated": updated,
        "sections": sections,
        "closing": _Literal(_text(rng, words, language, 2)),
        "takeaways": [_sentence(rng, words, language) for _ in range(3)],
    }


def briefing_id(index: int) -> str:
    """The id (and file stem) of the `index`-th generated briefing."""
    return f"topic-{index:05d}"


def briefing_yaml(document: dict[str, Any]) -> str:
    """The YAML text of one briefing, laid out like a hand-written file."""
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return SCHEMA_LINE + body


def write_corpus(
    directory: Path, count: int, *, seed: int = 0, english_share: float = 0.2
) -> list[Path]:
    """Write `count` briefing files into `directory`, the same ones for the same seed."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        english = rng.random() < english_share
        document = briefing_document(index, rng, english=english)
        path = directory / f"{briefing_id(index)}.yaml"
        path.write_text(briefing_yaml(document), encoding="utf-8")
        paths.append(path)
    return paths


_TIMEZONES = [
    "Asia/Tokyo",
    "Asia/Tokyo",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Europe/Berlin",
    "UTC",
]
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _schedule(rng: random.Random) -> str:
    hour, minute = rng.randrange(6, 23), rng.choice([0, 0, 15, 30, 45])
    form = rng.random()
    if form < 0.55:
        return f"daily {hour:02d}:{minute:02d}"
    if form < 0.75:
        return f"weekdays {hour:02d}:{minute:02d}"
    if form < 0.9:
        return f"weekly {rng.choice(_DAYS)} {hour:02d}:{minute:02d}"
    return rng.choice([f"{minute} {hour} * * 1-5", f"{minute} */6 * * *", f"0 {hour} 1 * *"])


def _snowflake(rng: random.Random) -> int:
    # A plausible Discord id: milliseconds since 2015 shifted left, plus worker bits.
    millis = rng.randrange(100_000_000_000, 200_000_000_000)
    return (millis << 22) | rng.randrange(1 << 22)


def generate_subscriptions(
    count: int, guilds: int, topics: list[str], *, seed: int = 0
) -> list[dict[str, Any]]:
    """`count` digest subscriptions spread over `guilds` guilds, as plain dicts.

    Each has guild_id, channel_id, topics (1-3 of `topics`), schedule and timezone;
    every guild gets at least one when `count >= guilds`, and each has its own channel.
    """
    if guilds < 1 or not topics:
        raise ValueError("need at least one guild and one topic")
    rng = random.Random(seed)
    guild_ids = [_snowflake(rng) for _ in range(guilds)]
    subscriptions = []
    for number in range(count):
        guild = guild_ids[number % guilds] if number < guilds else rng.choice(guild_ids)
        channel = _snowflake(rng)
        subscriptions.append(
            {
                "guild_id": guild,
                "channel_id": channel,
                "topics": rng.sample(topics, min(len(topics), rng.randint(1, 3))),
                "schedule": _schedule(rng),
                "timezone": rng.choice(_TIMEZONES),
            }
        )
    return subscriptions
