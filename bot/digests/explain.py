"""`/digest why`, pure: a subscription's recent runs and what would be sent now, in words."""

from __future__ import annotations

from collections.abc import Sequence

from bot.digests.compose import Digest
from bot.digests.listing import discord_time, failure_reason, subscription_lines
from bot.digests.records import DM_GUILD, UNPUBLISHED, DigestRun, Subscription
from bot.text.cards import Card, CardWriter
from bot.text.i18n import translate

HEADINGS_SHOWN = 3  # headings named in the line about changes waiting


def jump_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """A link that opens a message in Discord (in a DM when the guild is `DM_GUILD`)."""
    where = "@me" if guild_id == DM_GUILD else str(guild_id)
    return f"https://discord.com/channels/{where}/{channel_id}/{message_id}"


def run_line(run: DigestRun, guild_id: int, language: str) -> str:
    """One run, as `/digest why` lists it: when, what happened and why."""
    at = discord_time(run.at)
    due = discord_time(run.due_at) if run.due_at is not None else "?"
    if run.outcome == "sent":
        link = ""
        if run.channel_id is not None and run.message_id is not None:
            link = jump_link(guild_id, run.channel_id, run.message_id)
        line = translate("digest.run.sent", language, at=at, due=due, link=link).strip()
        if run.detail and run.detail.startswith(UNPUBLISHED):
            count = run.detail.removeprefix(UNPUBLISHED)
            line += " " + translate("digest.run.unpublished", language, count=count)
        return line
    if run.outcome == "unchanged":
        return translate("digest.run.unchanged", language, at=at, due=due)
    if run.outcome == "skipped":
        return translate("digest.run.skipped", language, at=at, due=due)
    reason = failure_reason(run.code, run.reason, language)
    code = f" ({run.code})" if run.code is not None else ""
    return translate(f"digest.run.{run.outcome}", language, at=at, reason=reason, code=code)


def waiting_line(digest: Digest | None, language: str) -> str:
    """A one-line summary of what a digest would post now."""
    if digest is None or digest.is_empty:
        return translate("digest.why.waiting_none", language)
    if digest.mode == "full":
        return translate("digest.why.waiting_full", language, count=len(digest.briefings))
    headings = [change.section.heading for change in digest.changes]
    headings += [removed.heading for removed in digest.removed]
    named = ", ".join(headings[:HEADINGS_SHOWN])
    if len(headings) > HEADINGS_SHOWN:
        named += ", …"
    return translate(
        "digest.why.waiting_changes",
        language,
        new=sum(1 for change in digest.changes if change.kind == "new"),
        changed=sum(1 for change in digest.changes if change.kind == "changed"),
        removed=len(digest.removed),
        headings=named,
    )


def why_cards(
    subscription: Subscription,
    runs: Sequence[DigestRun],
    waiting: Digest | None,
    channel_name: str,
    language: str,
    catch_up_hours: float,
) -> list[Card]:
    """`/digest why`: the subscription's state and next due time, its last runs, what waits."""
    writer = CardWriter(translate("digest.why.title", language, channel=channel_name), language)
    writer.describe("\n".join(subscription_lines(subscription, language, catch_up_hours)))
    if runs:
        lines = [run_line(run, subscription.guild_id, language) for run in runs]
    else:
        lines = [translate("digest.why.no_runs", language)]
    writer.add_field(translate("digest.why.runs", language), "\n".join(lines))
    writer.add_field(translate("digest.why.now", language), waiting_line(waiting, language))
    return writer.finish()
