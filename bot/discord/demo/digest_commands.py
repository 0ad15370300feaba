"""The demo's digest commands: `tick`, `offline`, `edit` and `channel`.

simcord's clock does not move APScheduler 3, so `tick` steps the clock from one due
time to the next and runs the scheduler's delivery (`deliver_due`) at each, as the
running bot would; `offline` stops the digest scheduler, moves the clock, and starts
it again, so what was missed is caught up as at every start-up. Everything posted is
read back from the channels and printed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import discord
import simcord

from bot.digests.records import Subscription
from bot.discord.client import BriefBot
from bot.discord.demo.briefing_edits import EDIT_SYNTAX, edit_briefing_file, parse_edit
from bot.discord.demo.transcript import posted_text
from bot.discord.demo.world import DemoChannel, DemoWorld, clock_text

Write = Callable[[str], None]

DEFAULT_TICK = dt.timedelta(days=1)
LONGEST_MOVE = dt.timedelta(days=400)
# At most this many delivery runs per move (an every-minute cron over days would be
# more); past it, the clock jumps to the end of the move and one run catches up.
RUNS_PER_MOVE = 1_000
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
DURATION_EXAMPLES = "30m, 2h, 1d, 1d12h or 1w"


def parse_duration(text: str) -> dt.timedelta:
    """`1d12h` -> 36 hours; ValueError for anything else (or more than 400 days)."""
    compact = text.strip().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(f"{n}{u}" for n, u in parts).lower() != compact.lower():
        raise ValueError(f"not a duration: {text.strip()!r}; try {DURATION_EXAMPLES}")
    seconds = sum(int(number) * _UNITS[unit.lower()] for number, unit in parts)
    if not 0 < seconds <= LONGEST_MOVE.total_seconds():
        raise ValueError(f"give a duration above zero and at most {LONGEST_MOVE.days} days")
    return dt.timedelta(seconds=seconds)


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


@dataclass(frozen=True)
class _Observed:
    """The subscriptions and the channels' messages before a command moved the clock."""

    subscriptions: dict[int, Subscription]
    messages: set[int]


# What the bot posts; not Discord's own notices ("started a thread").
_POSTED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class DigestCommands:
    """`tick`, `offline`, `edit` and `channel`, for one demo session."""

    def __init__(
        self,
        world: DemoWorld,
        bot: BriefBot,
        write: Write,
        viewer: Callable[[], simcord.MemberActor],
        *,
        interactive: bool,
    ) -> None:
        self.world = world
        self.bot = bot
        self.write = write
        self.viewer = viewer
        self.interactive = interactive

    # --- the clock and the scheduler ----------------------------------------------------

    async def tick(self, argument: str) -> None:
        """Move the clock (by DURATION, else to the next due digest) and deliver what falls due."""
        start = self.world.now()
        if argument.strip():
            target, why = start + parse_duration(argument), ""
        else:
            due = await self._next_due(after=None)
            if due is None:
                target, why = start + DEFAULT_TICK, " (one day: no digest is scheduled)"
            else:
                target, why = max(due, start), " (to the next due digest)"
        self.write(f"Clock: {clock_text(start)} → {clock_text(target)}{why}")
        if not await self._run_schedule_until(target):
            self.write("Nothing was posted.")
        await self._show_next_due()

    async def offline(self, argument: str) -> None:
        """Stop the digest scheduler for DURATION, then start it: it catches up as at start-up."""
        if not argument.strip():
            raise ValueError(f"offline for how long? e.g. offline 4h ({DURATION_EXAMPLES})")
        start = self.world.now()
        target = start + parse_duration(argument)
        catch_up = dt.timedelta(hours=self.bot.settings.digest.catch_up_hours)
        self.write(
            f"The bot is offline from {clock_text(start)} to {clock_text(target)}: "
            "no digests go out meanwhile."
        )
        before = await self._observe()
        await self.bot.digests.stop()
        await self.world.advance_to(target)
        await self.bot.digests.start()
        await self.bot.digests.drain()
        # The start-up run has caught up already; another run at the same time finds
        # nothing more to do (nothing is due twice).
        await self.bot.digests.deliver_due(max(target, self.world.now()))
        self.write(
            f"Back online at {clock_text(self.world.now())}, it catches up, as at every "
            f"start-up, on digests that fell due in the last {_hours(catch_up)} (catch_up_hours)."
        )
        if not await self._show_changes(before, target):
            self.write("Nothing was posted.")
        await self._show_next_due()

    async def _subscriptions(self) -> list[Subscription]:
        return await self.bot.digests.subscriptions(self.world.guild.id)

    async def _next_due(self, *, after: dt.datetime | None) -> dt.datetime | None:
        """The earliest due time of an active subscription (later than `after`, if given)."""
        times = [
            s.next_due
            for s in await self._subscriptions()
            if s.state == "active" and (after is None or s.next_due > after)
        ]
        return min(times, default=None)

    async def _run_schedule_until(self, target: dt.datetime) -> bool:
        """Deliver at every due time up to `target`, as the running scheduler would.

        Prints what each run posted, and why what fell due posted nothing; True if
        anything was posted.
        """
        posted = False
        last_run: dt.datetime | None = None
        for _ in range(RUNS_PER_MOVE):
            due = await self._next_due(after=last_run)
            if due is None or due > target:
                break
            moment = max(due, self.world.now())
            await self.world.advance_to(moment)
            posted |= await self._deliver_at(moment)
            last_run = moment
        if last_run is None or last_run < target:
            await self.world.advance_to(target)
            posted |= await self._deliver_at(target)
        return posted

    async def _deliver_at(self, moment: dt.datetime) -> bool:
        """One run of the scheduler's delivery at `moment`, shown; True if it posted."""
        before = await self._observe()
        await self.bot.digests.deliver_due(max(moment, self.world.now()))
        return await self._show_changes(before, moment)

    # --- what happened ---------------------------------------------------------------------

    def _history(self, channel: DemoChannel) -> list[discord.Message]:
        """The channel's messages and those of its threads (a forum's are all in posts)."""
        messages: list[discord.Message] = []
        for handle in (channel.handle, *channel.handle.threads):
            try:
                history = handle.history(viewer=self.viewer())
            except (simcord.SetupError, simcord.BackendError):
                continue  # a forum has no messages of its own; a private thread is hidden
            messages.extend(m for m in history if m.type in _POSTED_TYPES)
        return sorted(messages, key=lambda message: message.id)

    async def _observe(self) -> _Observed:
        subscriptions = {s.id: s for s in await self._subscriptions()}
        messages = {m.id for channel in self.world.channels for m in self._history(channel)}
        return _Observed(subscriptions, messages)

    async def _due_times(self, channel: DemoChannel) -> dict[int, dt.datetime]:
        """Each digest message's due time, from the delivery ledger."""
        rows = await self.bot.store.ledger.of_channel(self.world.guild.id, channel.handle.id)
        return {message_id: row.due_at for row in rows for message_id in row.message_ids}

    async def _show_changes(self, before: _Observed, moment: dt.datetime) -> bool:
        """What was posted where since `before`, and why what fell due posted nothing."""
        posted_in: set[int] = set()
        for channel in self.world.channels:
            new = [m for m in self._history(channel) if m.id not in before.messages]
            if new:
                posted_in.add(channel.handle.id)
                await self._show_posts(channel, new)
        for note in self._notes(before, await self._subscriptions(), posted_in, moment):
            self.write(note)
        return bool(posted_in)

    async def _show_posts(self, channel: DemoChannel, messages: list[discord.Message]) -> None:
        due_times = await self._due_times(channel)
        groups: dict[tuple[dt.datetime | None, str], list[discord.Message]] = {}
        for message in messages:
            key = (due_times.get(message.id), clock_text(message.created_at))
            groups.setdefault(key, []).append(message)
        for (due, posted_at), group in groups.items():
            count = f"{len(group)} message" + ("s" if len(group) > 1 else "")
            late = ""
            if due is not None and clock_text(due) != posted_at:
                late = f", a catch-up of the digest due {clock_text(due)}"
            self.write(f"Posted in #{channel.name} at {posted_at}{late} ({count}):")
            place = None
            for message in group:
                if message.channel.id != channel.handle.id and message.channel.id != place:
                    place = message.channel.id
                    name = getattr(message.channel, "name", None) or str(place)
                    kind = "post" if channel.kind == "forum" else "thread"
                    self.write(f"(in the {kind} “{name}”)")
                self.write(self.world.readable(posted_text(message, self.world.now())))
                self.write("")

    def _notes(
        self,
        before: _Observed,
        after: list[Subscription],
        posted_in: set[int],
        moment: dt.datetime,
    ) -> list[str]:
        """Why subscriptions that fell due posted nothing, channel by channel, in words."""
        names = self.world.mention_names()
        late = _hours(dt.timedelta(hours=self.bot.settings.digest.catch_up_hours))
        current = {s.id: s for s in after}
        notes = []
        for old in before.subscriptions.values():
            channel = names.get(old.channel_id, f"<#{old.channel_id}>")
            new = current.get(old.id)
            if new is None:
                notes.append(f"{channel}: its subscription is gone.")
                continue
            skipped_from, skipped_until = new.missed_from, new.missed_until
            newly_skipped = (skipped_from, skipped_until) != (old.missed_from, old.missed_until)
            if newly_skipped and skipped_from is not None and skipped_until is not None:
                notes.append(
                    f"{channel}: digests due from {clock_text(skipped_from)} to "
                    f"{clock_text(skipped_until)} were more than {late} late, so they "
                    "were skipped (/digest list says so too)."
                )
            if new.state == "failing" and old.state != "failing":
                notes.append(f"{channel}: paused as failing: {new.failure_reason}.")
            elif new.retry_error and new.retry_error != old.retry_error:
                notes.append(f"{channel}: delivery failed ({new.retry_error}); it is retried.")
            fell_due = old.state == new.state == "active" and old.next_due <= moment
            passed = fell_due and new.next_due > old.next_due and not new.retry_error
            if passed and new.channel_id not in posted_in:
                notes.append(
                    f"{channel}: nothing new at {clock_text(moment)} since its last digest, "
                    "so nothing was posted."
                )
        return notes

    async def _show_next_due(self) -> None:
        subscriptions = await self._subscriptions()
        active = sorted((s for s in subscriptions if s.state == "active"), key=lambda s: s.next_due)
        names = self.world.mention_names()
        if active:
            first = active[0]
            channel = names.get(first.channel_id, str(first.channel_id))
            self.write(f"Next digest: {channel} at {clock_text(first.next_due)}.")
        elif subscriptions:
            self.write("No digest is scheduled: every subscription is paused or failing.")
        else:
            self.write("No digest is scheduled: subscribe a channel first (as moderator).")

    # --- the briefings -------------------------------------------------------------------

    async def edit(self, argument: str) -> None:
        """Change a briefing in the demo's copy (scripted, or in $EDITOR) and reload."""
        topic, _, change = argument.strip().partition(" ")
        if not topic:
            raise ValueError("edit which briefing? e.g. edit ukraine-ceasefire answer 1 New text")
        briefing = self.bot.library.get(topic)
        if briefing is None:
            topics = ", ".join(b.id for b in self.bot.library) or "none"
            raise ValueError(f"no briefing {topic!r}; topics: {topics}")
        path = self.bot.settings.briefings_dir / f"{briefing.id}.yaml"
        if not path.is_file():
            raise ValueError(f"{briefing.id} has no file {path.name} in the demo's briefings")
        if change.strip():
            done = edit_briefing_file(path, parse_edit(change))
        else:
            done = await self._open_editor(path)
        report = await self.bot.reload_briefings(force=True)
        self.write(f"Edited the demo's copy of {path.name}: {done}.")
        problems = [str(p) for p in report.errors if path.name in str(p)]
        if problems:
            self.write("It does not load now; the bot keeps serving its last good version:")
            self.write("\n".join(f"  {problem}" for problem in problems))
        elif briefing.id in report.changed:
            self.write(
                f"Reloaded: {briefing.id} changed. Its subscribers get the change in their "
                "next digest (tick), or see it now with /digest preview (as moderator)."
            )
        else:
            self.write(f"Reloaded: {briefing.id} is as before.")

    async def _open_editor(self, path: Path) -> str:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not (self.interactive and editor):
            reason = "the input is not a terminal" if editor else "$EDITOR is not set"
            raise ValueError(
                f"no editor to open ({reason}); give the change on the line instead:\n{EDIT_SYNTAX}"
            )
        return await asyncio.to_thread(self._run_editor, editor, path)

    def _run_editor(self, editor: str, path: Path) -> str:
        """Run the editor on the file and wait for it; say whether the file changed."""
        before = path.read_bytes()
        try:
            finished = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as error:
            raise ValueError(f"could not start the editor {editor!r}: {error}") from None
        if finished.returncode != 0:
            self.write(f"(the editor exited with status {finished.returncode})")
        return "saved in your editor" if path.read_bytes() != before else "not changed"

    # --- channels ------------------------------------------------------------------------

    def channel(self, argument: str) -> None:
        """What a channel received; without a name, every channel and its message count."""
        if not argument.strip():
            for channel in self.world.channels:
                count = len(self._history(channel))
                self.write(f"  #{channel.name:<14} {channel.kind:<21} {count} message(s)")
            return
        channel = self.world.channel(argument)
        messages = self._history(channel)
        if not messages:
            self.write(f"#{channel.name} ({channel.kind}) has received nothing yet.")
            return
        self.write(f"#{channel.name} ({channel.kind}), {len(messages)} message(s), oldest first:")
        for message in messages:
            self.write(f"--- {message.author.name} · {clock_text(message.created_at)} ---")
            self.write(self.world.readable(posted_text(message, self.world.now())))
        self.write("")
