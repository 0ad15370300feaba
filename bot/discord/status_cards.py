"""What admins are shown about loading: reload reports and the bot's status, as cards."""

from __future__ import annotations

from collections.abc import Sequence

from bot.briefings.loader import Problem
from bot.briefings.reload import ReloadReport
from bot.digests.records import StateCounts
from bot.store.interface import ClusterProcess
from bot.text.cards import Card, CardWriter, Page, number_pages, paginate
from bot.text.i18n import translate


def problem_line(problem: Problem) -> str:
    """`FILE:LINE: message` for one problem, as admins read it in Discord."""
    what = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return f"`{problem.file}:{problem.line}` {what}"


def _names(ids: Sequence[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids) if ids else "—"


def _add_counts(writer: CardWriter, report: ReloadReport, language: str) -> None:
    writer.add_field(translate("admin.loaded", language), str(len(report.loaded)), inline=True)
    writer.add_field(translate("admin.added", language), _names(report.added), inline=True)
    writer.add_field(translate("admin.changed", language), _names(report.changed), inline=True)
    writer.add_field(translate("admin.removed", language), _names(report.removed), inline=True)


def reload_notice_cards(
    report: ReloadReport, new: Sequence[str], fixed: Sequence[str], language: str
) -> list[Card]:
    """The admin-channel notice for a reload that brought new errors or fixed some."""
    writer = CardWriter(translate("admin.reload_title", language), language)
    _add_counts(writer, report, language)
    if new:
        writer.add_field(translate("admin.new_errors", language), "\n".join(f"❌ {e}" for e in new))
    if fixed:
        writer.add_field(
            translate("admin.fixed_errors", language), "\n".join(f"✅ {e}" for e in fixed)
        )
    return writer.finish()


def _add_problems(writer: CardWriter, report: ReloadReport, language: str) -> None:
    lines = [f"❌ {problem_line(p)}" for p in report.errors]
    lines += [f"⚠️ {problem_line(p)}" for p in report.warnings]
    writer.add_field(translate("admin.problems_title", language), "\n".join(lines))


def reload_report_pages(report: ReloadReport, language: str) -> list[Page]:
    """The answer to `/briefing-admin reload`: what changed, then every problem, paginated."""
    writer = CardWriter(translate("admin.reload_title", language), language)
    writer.describe(translate("admin.took", language, ms=round(report.seconds * 1000)))
    _add_counts(writer, report, language)
    _add_problems(writer, report, language)
    return number_pages(paginate(writer.finish()), language)


def status_pages(
    report: ReloadReport | None,
    topic_count: int,
    subscriptions: StateCounts,
    language: str,
    *,
    everywhere: bool = False,
    shards: Sequence[tuple[int, float]] = (),
    members: Sequence[ClusterProcess] = (),
) -> list[Page]:
    """The answer to `/briefing-admin status`: topics, last reload, problems, digests.

    Digest figures are the asking server's own unless `everywhere` (every server's).
    """
    writer = CardWriter(translate("admin.status_title", language), language)
    writer.add_field(translate("admin.topics", language), str(topic_count), inline=True)
    if report is not None:
        stamp = f"<t:{int(report.at.timestamp())}:R>"
        writer.add_field(translate("admin.last_reload", language), stamp, inline=True)
        counts = translate(
            "admin.problem_counts",
            language,
            errors=len(report.errors),
            warnings=len(report.warnings),
        )
        writer.add_field(translate("admin.problems", language), counts, inline=True)
    digest_line = translate(
        "admin.subscription_counts",
        language,
        active=subscriptions.active,
        paused=subscriptions.paused,
        failing=subscriptions.failing,
    )
    if subscriptions.next_due is not None:
        when = f"<t:{int(subscriptions.next_due.timestamp())}:f>"
        digest_line += "\n" + translate("admin.next_due", language, when=when)
    scope = "admin.digests_everywhere" if everywhere else "admin.digests_here"
    writer.add_field(translate(scope, language), digest_line)
    if shards:
        lines = [
            translate("admin.shard_line", language, shard=shard, ms=f"{latency * 1000:.0f}")
            for shard, latency in shards
        ]
        writer.add_field(translate("admin.shards", language), "\n".join(lines))
    if members:
        writer.add_field(
            translate("admin.cluster", language),
            "\n".join(_member_line(member, language) for member in members),
        )
    if report is not None:
        _add_problems(writer, report, language)
    return number_pages(paginate(writer.finish()), language)


def _member_line(member: ClusterProcess, language: str) -> str:
    """One cluster process: its id, shards, whether it delivers, and its last heartbeat."""
    if member.shard_ids == ():
        shards = translate("admin.member_worker", language)
    elif member.shard_ids is None:
        shards = translate("admin.member_all_shards", language)
    else:
        shards = translate(
            "admin.member_shards",
            language,
            shards=", ".join(map(str, member.shard_ids)),
            count=member.shard_count or "?",
        )
    line = f"`{member.process_id}` · {shards} · <t:{int(member.heartbeat_at.timestamp())}:R>"
    return line + (f" · {translate('admin.member_leads', language)}" if member.leading else "")
