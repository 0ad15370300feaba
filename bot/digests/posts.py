"""Forum posts and threads opened for digests, pure: their titles and how to recognise them.

A digest to a forum opens a post, and a `thread: new` digest opens a thread from its
first message. Both are named by the digest's title and its due time in the
subscription's language and time zone, within Discord's 100 characters. The name is
worked out from the subscription and the due time alone, so a restart names the post
exactly as the request it lost did, and can find that post among the guild's threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from bot.digests.records import Subscription
from bot.errors import ForumRequiresTag, TooManyForumTags, UnknownForumTag
from bot.text.i18n import translate

NAME_LIMIT = 100  # Discord's limit on a thread's name
POST_ARCHIVE_MINUTES: Final[Literal[10080]] = (
    10080  # a digest's post or thread stays open a week without replies
)


def post_title(subscription: Subscription, due_at: dt.datetime) -> str:
    """The name of the post or thread a digest opens: its title and local due time."""
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    local = due_at.astimezone(ZoneInfo(subscription.timezone))
    language = subscription.language
    key = "label.digest_full_title" if subscription.mode == "full" else "label.digest_title"
    when = translate(
        "label.post_date",
        language,
        year=local.year,
        month=local.month,
        day=local.day,
        time=local.strftime("%H:%M"),
    )
    title = translate(key, language)
    separator = " · "
    room = NAME_LIMIT - len(when) - len(separator)
    if len(title) > room:
        title = title[: max(room - 1, 0)].rstrip() + "…"
    return f"{title}{separator}{when}"


def find_opened_thread(
    threads: Iterable[Mapping[str, Any]], parent_id: int, name: str, owner_id: int | None
) -> int | None:
    """The id of the thread a digest opened, among a guild's threads, if it is there.

    Matched by parent channel and exact name, and by owner when Discord says who
    opened the thread, newest first.
    """
    found = [
        int(thread["id"])
        for thread in threads
        if str(thread.get("parent_id")) == str(parent_id)
        and thread.get("name") == name
        and (owner_id is None or thread.get("owner_id") in (None, str(owner_id), owner_id))
    ]
    return max(found) if found else None


TAGS_PER_POST = 5  # Discord applies at most five tags to a forum post


def choose_forum_tags(
    typed: str | None, available: Iterable[tuple[int, str]], *, required: bool, forum: str
) -> tuple[int, ...]:
    """The tag ids a comma-separated list of tag names or ids names, in the order typed.

    Raises UnknownForumTag, TooManyForumTags, or ForumRequiresTag when the forum
    requires a tag and none was given.
    """
    available = list(available)
    by_name = {name.casefold(): tag_id for tag_id, name in available}
    ids = set(by_name.values())
    chosen: list[int] = []
    for item in (part.strip() for part in (typed or "").split(",")):
        if not item:
            continue
        tag_id = (
            int(item) if item.isdecimal() and int(item) in ids else by_name.get(item.casefold())
        )
        if tag_id is None:
            names = ", ".join(name for _, name in available) or "—"
            raise UnknownForumTag(tag=item, forum=forum, tags=names)
        if tag_id not in chosen:
            chosen.append(tag_id)
    if len(chosen) > TAGS_PER_POST:
        raise TooManyForumTags(limit=TAGS_PER_POST)
    if required and not chosen:
        raise ForumRequiresTag(forum=forum)
    return tuple(chosen)
