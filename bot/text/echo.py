"""Echoing what a user typed in an error message: shortened first, whatever its type.

An error that quotes the user's input must still say what is accepted. `echo` cuts text,
numbers and anything else to one line of a fixed number of characters, and shows a list
as the items that fit and how many more there are, before the value goes into the
message, so that the guidance after it always fits in one Discord message.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.text.i18n import translate
from bot.text.split import truncate

# How many characters of what a user typed an error message echoes back, whatever its type.
ECHO_LIMIT = 100
# How much of a long value is looked at to echo its start (whitespace runs collapse).
_ECHO_SCAN = 4 * ECHO_LIMIT


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except ValueError:  # an int of more than 4,300 digits has no decimal str()
        return f"{value:#x}" if isinstance(value, int) else type(value).__name__
    except Exception:  # whatever it is, its echo must not break the error message
        return type(value).__name__


def _one_line(text: str, limit: int) -> str:
    """The start of a text on one line, at most `limit` characters, with … when cut."""
    scanned = text[:_ECHO_SCAN]
    line = " ".join(scanned.split())
    if len(scanned) < len(text):
        line += "…"  # collapsing whitespace may have made the start short enough to fit
    return truncate(line, limit)


def _keep(text: str) -> str:
    return text


def echo(
    value: object,
    locale: str | None,
    *,
    limit: int = ECHO_LIMIT,
    escape: Callable[[str], str] = _keep,
) -> str:
    """A value the user typed as an error message quotes it, shortened first, whatever its type.

    Text, numbers and anything else become one line of at most `limit` characters
    (`escape` then makes it safe to show). A list shows its items as code, as many as
    fit in `limit`, then how many more there are: an echo never crowds out the rest of
    the message, however long or numerous what was typed.
    """
    if isinstance(value, Collection) and not isinstance(value, str | bytes):
        items = list(value)
        shown: list[str] = []
        used = 0
        for item in items:
            code = "`" + _one_line(_as_text(item), limit).replace("`", "'") + "`"
            if shown and used + 2 + len(code) > limit:
                break
            used += len(code) + (2 if shown else 0)
            shown.append(code)
        text = ", ".join(shown)
        if len(items) > len(shown):
            more = translate("error.echo_more", locale, count=len(items) - len(shown))
            text = f"{text} {more}" if text else more
        return text
    return escape(_one_line(_as_text(value), limit))
