"""One demo session: each typed line becomes a slash command, a button press or a setting.

Lines are parsed as a member would type in Discord (`/briefing show topic:ukraine`,
`next`, `select 2`, an option ending in `?` for autocomplete) and sent to the real bot
through simcord, as whoever `as` last chose, in `#general` (`typed_options` reads the
command and its options); what the bot answers is printed with
`bot.discord.demo.transcript`. The server is `world`; the digest commands
(`tick`, `offline`, `edit`, `channel`) are `digest_commands`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import discord
import simcord
from discord import app_commands

from bot.briefings.matching import normalize
from bot.discord.client import BriefBot
from bot.discord.demo.briefing_edits import EDIT_SYNTAX
from bot.discord.demo.digest_commands import DigestCommands
from bot.discord.demo.transcript import message_text
from bot.discord.demo.typed_options import find_command, option_value, split_options
from bot.discord.demo.world import DemoWorld, Person, clock_text
from bot.errors import UserFacingError

Write = Callable[[str], None]


# `tick      # to the next digest`, as the README writes it: two spaces, #, a space.
_TRAILING_COMMENT = re.compile(r"\s{2,}#\s.*$")


HELP = f"""\
You type in #general as member, moderator or admin (you start as member):
  as member             no special permissions
  as moderator          Manage Channels: may use /digest
  as admin              Manage Server too: may use /briefing-admin
Slash commands, typed as in Discord (option:value, values may contain spaces):
  /briefing list
  /briefing show topic:ukraine-ceasefire
  /briefing section topic:ukraine section:2
  /briefing sources topic:ukraine [section:1]
  /briefing search query:停戦
  add private:true to any of them to answer only you
  /digest subscribe channel:#news [schedule:daily 09:00] [timezone:UTC] [mode:full]
  /digest list | preview channel:#news | send channel:#news
  /digest pause channel:#news | resume channel:#news | unsubscribe channel:#news
  /briefing-admin status | reload | download topic:ID | history topic:ID
Autocomplete: end the option you are typing with ?, e.g.
  /briefing show topic:ukr?
  /briefing section topic:ukraine section:首脳?
On the last message with controls:
  next, prev            press Next / Previous
  click LABEL           press any button by its label (e.g. click 次へ)
  select N | select LABEL   choose option N (as listed) or by label in the menu
  again                 show the current message again
Digests and time (the clock starts at Thu 2026-01-01 00:00 UTC):
  tick [DURATION]       move the clock (30m, 2h, 1d, 1w; default: to the next due
                        digest, or one day) and deliver every digest that falls due
  offline DURATION      the bot is down for DURATION, then catches up as at start-up
  edit TOPIC            change the demo's copy of a briefing in $EDITOR, and reload
  edit TOPIC CHANGE     or give the change on the line (no editor needed):
{EDIT_SYNTAX}
  channel [NAME]        what #NAME received (without a name: every channel)
  server                the channels, roles and people of the demo server
Other:
  lang ja | lang en     set the language your Discord client reports
  reload                re-read the briefing files
  help                  this text
  quit                  leave (so does the end of input)
"""


def _match_option(options: list[dict[str, Any]], folded: str) -> dict[str, Any] | None:
    """The option whose value or label is `folded`, else the first label it starts or is in."""
    if not folded:
        return None
    ranked: list[Callable[[dict[str, Any]], bool]] = [
        # A value names the section whatever the labels' language (`#overview`, an id).
        lambda option: normalize(option["value"]).lstrip("#") == folded.lstrip("#"),
        lambda option: normalize(option["label"]) == folded,
        lambda option: normalize(option["label"]).startswith(folded),
        lambda option: folded in normalize(option["label"]),
    ]
    for test in ranked:
        for option in options:
            if test(option):
                return option
    return None


class DemoSession:
    """The demo's user in `#general`, typing as one of three people, a line at a time."""

    def __init__(
        self, env: simcord.Env, bot: BriefBot, write: Write, *, interactive: bool = False
    ) -> None:
        self.env = env
        self.bot = bot
        self.write = write
        self.world = DemoWorld(env)
        self.channel = self.world.general
        self.person: Person = self.world.people["member"]
        self.locale = "en-US"
        self.digests = DigestCommands(
            self.world, bot, self._write_readable, lambda: self.me, interactive=interactive
        )
        self._current: dict[str, simcord.ResponseMessage | None] = {}
        self._cursor = env.error_cursor

    @property
    def me(self) -> simcord.MemberActor:
        """Who is typing now."""
        return self.person.actor

    @property
    def current(self) -> simcord.ResponseMessage | None:
        """The last message with controls that the person typing now got."""
        return self._current.get(self.person.name)

    @current.setter
    def current(self, message: simcord.ResponseMessage | None) -> None:
        self._current[self.person.name] = message

    def banner(self) -> str:
        """What is loaded, and how to start."""
        topics = ", ".join(b.id for b in self.bot.library) or "none"
        lines = [
            "briefbot demo: the real bot against a simulated Discord (offline, no token).",
            f"Briefings loaded ({len(self.bot.library)}): {topics} (the demo's own copy)",
        ]
        report = self.bot.last_reload
        if report is not None and report.errors:
            lines.append(f"{len(report.errors)} file problem(s):")
            lines.extend(f"  {problem}" for problem in report.errors)
        lines.append(
            "You type in #general as member (type as moderator or as admin to switch); "
            f"the clock says {clock_text(self.world.now())}."
        )
        lines.append("Type help for the commands, quit to leave.")
        return "\n".join(lines)

    async def handle(self, line: str) -> bool:
        """Run one line of input; False when the user asked to quit."""
        line = _TRAILING_COMMENT.sub("", line).strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        verb = word.lower()
        try:
            if line.startswith("/"):
                await self._slash(line[1:])
            elif verb in {"quit", "exit", "q", "bye"}:
                return False
            elif verb in {"help", "h", "?"}:
                self.write(HELP)
            elif verb in {"next", "n", "次へ"}:
                await self._press("pages:next")
            elif verb in {"prev", "previous", "p", "back", "前へ"}:
                await self._press("pages:previous")
            elif verb in {"click", "press"}:
                await self._click(rest.strip())
            elif verb in {"select", "choose", "jump"}:
                await self._select(rest.strip())
            elif verb in {"again", "show", "redraw"}:
                self._show_current()
            elif verb in {"lang", "locale"}:
                self._set_locale(rest.strip())
            elif verb == "reload":
                report = await self.bot.reload_briefings()
                self.write(report.summary())
            elif verb == "as":
                self._switch(rest)
            elif verb == "tick":
                await self.digests.tick(rest)
            elif verb == "offline":
                await self.digests.offline(rest)
            elif verb == "edit":
                await self.digests.edit(rest)
            elif verb == "channel":
                self.digests.channel(rest)
            elif verb in {"server", "who"}:
                self._show_server()
            else:
                self.write(f"Not understood: {line!r}. Type help for the commands.")
        except (simcord.SetupError, simcord.BackendError, ValueError) as exc:
            self.write(f"! {exc}")
        except TimeoutError:
            self.write("! the bot did not finish in time")
        except Exception as exc:  # the demo carries on with a message, never a traceback
            self.write(f"! {type(exc).__name__}: {exc}")
        self._report_errors()
        return True

    def _write_readable(self, text: str) -> None:
        self.write(self.world.readable(text))

    # --- who is typing, and where ------------------------------------------------------

    def _switch(self, name: str) -> None:
        if not name.strip():
            raise ValueError(f"as whom? {', '.join(self.world.people)}")
        self.person = self.world.person(name)
        self.write(f"You are {self.person.name} now ({self.person.may}).")

    def _show_server(self) -> None:
        world = self.world
        self.write(f"{world.guild.name}, {clock_text(world.now())}")
        self.write("Channels:")
        for channel in world.channels:
            self.write(f"  #{channel.name:<14} {channel.kind}")
        self.write("Roles: " + ", ".join(f"@{role.name}" for role in world.roles))
        self.write("People (as NAME):")
        for person in world.people.values():
            mark = "  ← you" if person is self.person else ""
            self.write(f"  {person.name:<10} {person.may}{mark}")

    # --- slash commands and autocomplete ------------------------------------------

    def _find_command(self, words: list[str]) -> tuple[str, app_commands.Command[Any, ..., Any]]:
        found = find_command(self.bot.tree, words)
        if found is None:
            available = ", ".join("/" + name for name in self.me.available_commands(self.channel))
            raise ValueError(f"unknown command /{' '.join(words)}; try {available}")
        return found

    async def _slash(self, text: str) -> None:
        words: list[str] = []
        rest = ""
        for token in re.finditer(r"\S+", text):
            if ":" in token.group():
                rest = text[token.start() :]
                break
            words.append(token.group())
        if not words:
            raise ValueError("type a command after /, e.g. /briefing list")
        path, command = self._find_command(words)
        if len(path.split()) < len(words):
            raise ValueError(f"unexpected {' '.join(words[len(path.split()) :])!r} after /{path}")
        self._check_visible(path)
        parameters = {parameter.name: parameter for parameter in command.parameters}
        options = split_options(rest, parameters)
        if options and text.rstrip().endswith("?"):
            focused = list(options)[-1]
            if parameters[focused].autocomplete:
                typed = options.pop(focused)[:-1]
                await self._autocomplete(path, focused, typed, options, parameters)
                return
        values = {
            name: option_value(self.world, parameters[name], value)
            for name, value in options.items()
        }
        result = await self.me.slash(self.channel, path, **values)
        self._show_result(result, replaces=True)

    def _check_visible(self, path: str) -> None:
        """Say who may use a command hidden from the person typing (as Discord hides it)."""
        if path in self.me.available_commands(self.channel):
            return
        who = "moderator" if self.person.name == "member" else "admin"
        raise ValueError(
            f"/{path} is hidden from {self.person.name} (it needs a permission they lack); "
            f"type as {who} first"
        )

    async def _autocomplete(
        self,
        path: str,
        focused: str,
        typed: str,
        filled: dict[str, str],
        parameters: dict[str, app_commands.Parameter],
    ) -> None:
        values = {
            name: option_value(self.world, parameters[name], value)
            for name, value in filled.items()
        }
        choices = await self.me.autocomplete(self.channel, path, focused, typed, **values)
        if not choices:
            self.write(f"(no choices for {focused}:{typed})")
            return
        self.write(f"Choices for {focused}:{typed}")
        for number, choice in enumerate(choices, start=1):
            self.write(f"  {number:2d}. {choice['name']}  →  {focused}:{choice['value']}")

    # --- components -----------------------------------------------------------------

    def _components(self) -> list[dict[str, Any]]:
        if self.current is None:
            raise ValueError(
                "no message yet; run a command first, e.g. /briefing show topic:ukraine"
            )
        return [item for row in self.current.components for item in row.get("components", [])]

    async def _press(self, custom_id: str) -> None:
        for item in self._components():
            if item.get("custom_id") == custom_id:
                if item.get("disabled"):
                    self.write(f"({item.get('label')} is disabled here)")
                    return
                assert self.current is not None
                self._show_result(await self.me.click(self.current, custom_id=custom_id))
                return
        raise ValueError("the last message has no such button")

    async def _click(self, label: str) -> None:
        wanted = normalize(label)
        buttons = [item for item in self._components() if item.get("type") == 2]
        for item in buttons:
            if wanted in {normalize(item.get("label") or ""), normalize(item.get("custom_id", ""))}:
                await self._press(item["custom_id"])
                return
        labels = ", ".join(str(item.get("label")) for item in buttons) or "none"
        raise ValueError(f"no button {label!r}; buttons: {labels}")

    async def _select(self, wanted: str) -> None:
        menus = [item for item in self._components() if item.get("type") == 3]
        if not menus:
            raise ValueError("the last message has no menu")
        menu = menus[0]
        options = menu.get("options", [])
        chosen = None
        if wanted.isdigit() and int(wanted) < len(options):
            chosen = options[int(wanted)]
        else:
            chosen = _match_option(options, normalize(wanted))
        if chosen is None:
            raise ValueError(f"no option {wanted!r}; type select N with N as listed")
        assert self.current is not None
        result = await self.me.select(self.current, [chosen["value"]], custom_id=menu["custom_id"])
        self._show_result(result)

    # --- output -----------------------------------------------------------------------

    def _show_result(self, result: simcord.InteractionResult, *, replaces: bool = False) -> None:
        """Print the bot's answer; a command's answer (or any with controls) becomes current."""
        messages = [m for m in (result.response, *result.followups) if m is not None]
        if not messages:
            self.write("(the bot did not answer)")
            return
        for message in messages:
            self._write_readable(message_text(message, self.world.now()))
            if replaces or message.components:
                self.current = message
        self.write("")

    def _show_current(self) -> None:
        if self.current is None:
            self.write("(nothing on screen yet)")
        else:
            self._write_readable(message_text(self.current, self.world.now()))

    def _report_errors(self) -> None:
        for error in self.env.errors_since(self._cursor):
            original = error
            while isinstance(original, app_commands.AppCommandError) and original.__cause__:
                original = original.__cause__
            if isinstance(original, UserFacingError):
                continue  # the user has already been told, in their language
            self.write(f"bot error: {type(original).__name__}: {original}")
        self._cursor = self.env.error_cursor

    def _set_locale(self, value: str) -> None:
        locale = value or "en-US"
        try:
            discord.Locale(locale)
        except ValueError:
            names = ", ".join(sorted(loc.value for loc in discord.Locale))
            raise ValueError(f"unknown Discord locale {locale!r}; one of {names}") from None
        self.locale = locale
        self.write(f"Your Discord client now reports locale {locale}.")
