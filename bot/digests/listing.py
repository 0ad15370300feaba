"""How subscriptions are shown to staff: `/digest list` lines and cards, failure reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.digests.records import MISSING_ACCESS, MISSING_PERMISSIONS, THREAD_ARCHIVED, Subscription
from bot.text.cards import Card, CardWriter
from bot.text.i18n import translate


def failure_reason(code: int | None, reason: str | None, language: str) -> str:
    """Why Discord refused a digest, in the reader's language when the code is known."""
    if code == MISSING_ACCESS:
        return translate("digest.reason.missing_access", language)
    if code == MISSING_PERMISSIONS:
        return translate("digest.reason.missing_permissions", language)
    if code == THREAD_ARCHIVED:
        return translate("digest.reason.thread_archived", language)
    return reason or "?"


def discord_time(moment: dt.datetime, style: str = "f") -> str:
    """A Discord timestamp that each reader sees in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def topics_text(topics: Sequence[str] | None, language: str) -> str:
    """A subscription's topics as shown to staff."""
    if topics is None:
        return translate("digest.all_topics", language)
    return ", ".join(f"`{topic}`" for topic in topics)


def subscribed_text(
    subscription: Subscription,
    *,
    created: bool,
    channel: str,
    tag_names: Mapping[int, str],
    language: str,
) -> str:
    """What `/digest subscribe` replies: the subscription as stored, and where it posts."""
    text = translate(
        "digest.subscribed" if created else "digest.updated",
        language,
        channel=channel,
        topics=topics_text(subscription.topics, language),
        schedule=subscription.schedule,
        timezone=subscription.timezone,
        mode=translate(f"digest.mode.{subscription.mode}", language),
        next_due=discord_time(subscription.next_due),
    )
    target = subscription.target
    if target != "channel":
        tags = ", ".join(tag_names.get(tag, str(tag)) for tag in subscription.forum_tags)
        key = "forum_untagged" if target == "forum" and not tags else target
        text += "\n" + translate(f"digest.target.{key}", language, tags=tags)
    return text


def subscription_lines(
    subscription: Subscription, language: str, catch_up_hours: float
) -> list[str]:
    """What `/digest list` says about one subscription: state, topics, times, problems."""
    sub = subscription
    if sub.state == "failing":
        reason = failure_reason(sub.failure_code, sub.failure_reason, language)
        lines = [translate("digest.state.failing", language, reason=reason)]
    else:
        lines = [translate(f"digest.state.{sub.state}", language)]
    lines.append(
        translate("digest.line.topics", language, topics=topics_text(sub.topics, language))
    )
    if sub.mention_role_id is not None:
        lines.append(translate("digest.line.mention", language, role=f"<@&{sub.mention_role_id}>"))
    if sub.publish:
        lines.append(translate("digest.line.publish", language))
    mode = translate(f"digest.mode.{sub.mode}", language)
    lines.append(
        translate(
            "digest.line.schedule",
            language,
            schedule=sub.schedule,
            timezone=sub.timezone,
            mode=mode,
        )
    )
    if sub.state == "active":
        when = f"{discord_time(sub.next_due)} ({discord_time(sub.next_due, 'R')})"
        lines.append(translate("digest.line.next_due", language, when=when))
    if sub.last_digest_at is not None:
        lines.append(
            translate("digest.line.last_digest", language, when=discord_time(sub.last_digest_at))
        )
    if sub.retry_error:
        lines.append(translate("digest.line.retrying", language, error=sub.retry_error))
    if sub.missed_from is not None and sub.missed_until is not None:
        lines.append(
            translate(
                "digest.line.missed",
                language,
                start=discord_time(sub.missed_from),
                end=discord_time(sub.missed_until),
                hours=f"{catch_up_hours:g}",
            )
        )
    return lines


def subscription_cards(
    subscriptions: Sequence[Subscription],
    language: str,
    channel_names: dict[int, str],
    catch_up_hours: float,
) -> list[Card]:
    """`/digest list`: every subscription of a guild, one field each."""
    writer = CardWriter(translate("digest.list_title", language), language)
    if not subscriptions:
        writer.describe(translate("digest.list_empty", language))
    for sub in subscriptions:
        name = channel_names.get(sub.channel_id, str(sub.channel_id))
        lines = subscription_lines(sub, language, catch_up_hours)
        writer.add_field(f"#{name}", "\n".join(lines))
    return writer.finish()
