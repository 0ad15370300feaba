"""What the demo prints: simcord's messages, embeds and components as terminal text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

import discord
import simcord

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


def readable_timestamps(text: str) -> str:
    """Discord timestamps (`<t:UNIX:D>`) as plain UTC dates and times."""

    def replace(match: re.Match[str]) -> str:
        moment = dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC)
        style = match.group(2) or "f"
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


def message_text(message: simcord.ResponseMessage) -> str:
    """A bot message as the terminal shows it."""
    lines = ["(only you can see this)"] if message.ephemeral else []
    if message.content:
        lines.append(message.content)
    for index, embed in enumerate(message.embeds):
        if index:
            lines.append("")
        lines.extend(embed_lines(embed))
    components = list(component_lines(message.components))
    if components:
        lines.append("")
        lines.extend(components)
    return readable_timestamps("\n".join(lines))
