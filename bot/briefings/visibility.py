"""Embargo and expiry: which briefings and sections members may see at a given moment.

A briefing or section with `publish_at` is hidden before that moment, and one with
`expires_at` from that moment on. Everything here takes `now` explicitly; nothing reads
the clock. Visibility only changes when `now` crosses one of the moments the briefings
name, so `boundaries` lists them and a view can be kept for as long as `now` stays
between the same two (`Library.visible`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from bot.briefings.models import Briefing, Section


class Scheduled(Protocol):
    """Anything with an embargo and an expiry: a briefing or a section."""

    @property
    def publish_at(self) -> dt.datetime | None:
        """Hidden before this moment."""

    @property
    def expires_at(self) -> dt.datetime | None:
        """Hidden from this moment on."""


def require_aware(now: dt.datetime) -> dt.datetime:
    """`now` itself; ValueError when it has no time zone (it would be no moment at all)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


def is_visible(item: Scheduled, now: dt.datetime) -> bool:
    """Whether members may see this briefing or section at `now`."""
    if item.publish_at is not None and now < item.publish_at:
        return False
    return item.expires_at is None or now < item.expires_at


def hidden_mark(item: Scheduled, now: dt.datetime) -> str | None:
    """Why members cannot see this at `now` ("embargoed until …", "expired …"), or None."""
    if item.publish_at is not None and now < item.publish_at:
        return f"embargoed until {item.publish_at.isoformat()}"
    if item.expires_at is not None and now >= item.expires_at:
        return f"expired {item.expires_at.isoformat()}"
    return None


def boundaries(briefings: Iterable[Briefing]) -> tuple[dt.datetime, ...]:
    """Every moment at which some briefing or section appears or disappears, in order."""
    moments: set[dt.datetime] = set()
    for briefing in briefings:
        items: list[Scheduled] = [briefing, *briefing.sections]
        for item in items:
            if item.publish_at is not None:
                moments.add(item.publish_at)
            if item.expires_at is not None:
                moments.add(item.expires_at)
    return tuple(sorted(moments))


def epoch(moments: tuple[dt.datetime, ...], now: dt.datetime) -> int:
    """Which interval between `moments` holds `now`: equal for moments that see the same."""
    return bisect.bisect_right(moments, require_aware(now))


def visible_briefing(briefing: Briefing, now: dt.datetime) -> Briefing | None:
    """The briefing as members see it at `now`: only its visible sections, or None.

    A briefing whose every section is hidden is hidden too. The briefing itself is
    returned when nothing of it is hidden; otherwise a copy with fewer sections (numbered
    from 1 again, as members count them; section ids stay the same).
    """
    if not is_visible(briefing, now):
        return None
    sections: list[Section] = [s for s in briefing.sections if is_visible(s, now)]
    if not sections:
        return None
    if len(sections) == len(briefing.sections):
        return briefing
    fields = {name: getattr(briefing, name) for name in Briefing.model_fields}
    fields["sections"] = tuple(sections)
    # Built without validation: every part was validated when the file was loaded.
    return Briefing.model_construct(**fields)


def hidden_parts(briefings: Iterable[Briefing], now: dt.datetime) -> list[str]:
    """One line per briefing or section that members cannot see at `now`, and why.

    For admins (`/briefing-admin status`): "`ferry` · embargoed until …" for a whole
    briefing, "`ferry` › `s2` What changes · expired …" for one section.
    """
    lines: list[str] = []
    for briefing in briefings:
        mark = hidden_mark(briefing, now)
        if mark is not None:
            lines.append(f"`{briefing.id}` · {mark}")
        for section in briefing.sections:
            mark = hidden_mark(section, now)
            if mark is not None:
                lines.append(f"`{briefing.id}` › `{section.id}` {section.heading} · {mark}")
    return lines
