"""What the demo prints: simcord's messages, embeds and components as terminal text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

import discord
import simcord

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


def relative_time(moment: dt.datetime, now: dt.datetime) -> str:
    """`in 9 hours`, `2 days ago`: how Discord shows a relative (`R`) timestamp."""
    seconds = round((moment - now).total_seconds())
    size = abs(seconds)
    units = (("day", 86400), ("hour", 3600), ("minute", 60))
    found = next(((unit, length) for unit, length in units if size >= length), None)
    if found is None:
        return "now"
    unit, length = found
    count = round(size / length)
    words = f"{count} {unit}" + ("s" if count != 1 else "")
    return f"in {words}" if seconds > 0 else f"{words} ago"


def readable_timestamps(text: str, now: dt.datetime | None = None) -> str:
    """Discord timestamps (`<t:UNIX:D>`) as plain UTC dates and times.

    Relative ones (`<t:UNIX:R>`) read `in 9 hours` when `now` is given.
    """

    def replace(match: re.Match[str]) -> str:
        moment = dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC)
        style = match.group(2) or "f"
        if style == "R" and now is not None:
            return relative_time(moment, now)
        if style in "dD":
            return moment.date().isoformat()
        if style in "tT":
            return moment.strftime("%H:%M UTC")
        return moment.strftime("%Y-%m-%d %H:%M UTC")

    return _TIMESTAMP.sub(replace, text)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def embed_lines(embed: discord.Embed) -> Iterator[str]:
    """One embed as terminal lines: title, description, fields, footer."""
    if embed.title:
        yield f"== {embed.title} =="
    if embed.url:
        yield embed.url
    if embed.description:
        yield embed.description
    for field in embed.fields:
        yield f"▸ {field.name}"
        yield _indent(field.value or "")
    if embed.footer.text:
        yield f"— {embed.footer.text}"


def component_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Buttons on one line with their state; each menu with its numbered options."""
    for row in rows:
        buttons = []
        for item in row.get("components", []):
            if item.get("type") == 2:
                emoji = (item.get("emoji") or {}).get("name") or ""
                label = " ".join(part for part in (emoji, item.get("label") or "") if part)
                buttons.append(f"[{label}]" + (" (disabled)" if item.get("disabled") else ""))
            elif item.get("type") == 3:
                yield f"Menu: {item.get('placeholder') or 'choose'}"
                for number, option in enumerate(item.get("options", [])):
                    mark = "  ← showing" if option.get("default") else ""
                    yield f"  {number}) {option.get('label')}{mark}"
        if buttons:
            yield "Buttons: " + "  ".join(buttons)


def _message_lines(
    content: str,
    embeds: Iterable[discord.Embed],
    rows: list[dict[str, Any]],
    *,
    private: bool,
    now: dt.datetime | None,
) -> str:
    lines = ["(only you can see this)"] if private else []
    if content:
        lines.append(content)
    for index, embed in enumerate(embeds):
        if index:
            lines.append("")
        lines.extend(embed_lines(embed))
    components = list(component_lines(rows))
    if components:
        lines.append("")
        lines.extend(components)
    return readable_timestamps("\n".join(lines), now)


def message_text(message: simcord.ResponseMessage, now: dt.datetime | None = None) -> str:
    """A bot's answer to an interaction as the terminal shows it (`now` for relative times)."""
    return _message_lines(
        message.content, message.embeds, message.components, private=message.ephemeral, now=now
    )


def posted_text(message: discord.Message, now: dt.datetime | None = None) -> str:
    """A message in a channel's history (a digest, an answer) as the terminal shows it."""
    rows = [row.to_dict() for row in message.components if isinstance(row, discord.ActionRow)]
    return _message_lines(
        message.content,
        message.embeds,
        [dict(row) for row in rows],
        private=message.flags.ephemeral,
        now=now,
    )
