"""Everything that turns presentation cards into Discord embeds, views and replies."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.delivery.queue import OutgoingMessage
from bot.digests.compose import DigestMessage
from bot.errors import UserFacingError
from bot.text.cards import Card, Page, escape_markdown
from bot.text.echo import ECHO_LIMIT, echo
from bot.text.i18n import error_message, language_of, translate
from bot.text.split import truncate

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
# Interaction tokens live 15 minutes; the controls are removed with the last one's token.
NAVIGATION_TIMEOUT = 14 * 60
SELECT_OPTION_LIMIT = 25
# Not a slug, so it can never collide with a section id.
OVERVIEW_OPTION = "#overview"
OPTION_TEXT_LIMIT = 100
CONTENT_LIMIT = 2000
EMBED_COLOUR = discord.Colour.from_rgb(0x3B, 0x82, 0xF6)


def card_embed(card: Card) -> discord.Embed:
    """A Discord embed for one card."""
    embed = discord.Embed(
        title=card.title or None,
        description=card.description or None,
        url=card.url,
        colour=EMBED_COLOUR,
    )
    for item in card.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def messages_json(
    messages: Sequence[DigestMessage], card_cache: dict[Card, str] | None = None
) -> str:
    """Messages as the compact JSON stored for delivery: content and embed dicts.

    The same text as `json.dumps` of `card_embed(card).to_dict()` per card; with a
    `card_cache`, each distinct card is serialised once across calls.
    """
    cache = {} if card_cache is None else card_cache

    def card_text(card: Card) -> str:
        text = cache.get(card)
        if text is None:
            text = cache[card] = _compact_json(card_embed(card).to_dict())
        return text

    parts = []
    for message in messages:
        embeds = ",".join(card_text(card) for card in message.cards)
        parts.append(f'{{"content":{_compact_json(message.content)},"embeds":[{embeds}]}}')
    return f"[{','.join(parts)}]"


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def page_embeds(page: Page) -> list[discord.Embed]:
    """The embeds of one page (one message)."""
    return [card_embed(card) for card in page.cards]


class PageNavigator(discord.ui.View):
    """Previous/next buttons and an optional section menu over a fixed list of pages.

    The pages are rendered once, so a reader keeps the snapshot they opened even when
    the briefings are reloaded meanwhile. The menu lists the overview and up to 24
    sections around the one on show, so a briefing of any length can be jumped through.
    """

    def __init__(
        self,
        pages: Sequence[Page],
        *,
        owner_id: int,
        language: str,
        sections: Sequence[tuple[str, str]] = (),
        timeout: float = NAVIGATION_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.language = language
        self.sections = list(sections)
        self.index = 0
        # The latest interaction on these pages: its token edits the message on timeout.
        self.interaction: discord.Interaction[discord.Client] | None = None
        self.previous_page.label = translate("label.previous", language)
        self.next_page.label = translate("label.next", language)
        self.jump: discord.ui.Select[PageNavigator] | None = None
        if sections:
            self.jump = discord.ui.Select(
                placeholder=truncate(translate("label.jump", language), 150),
                options=[],
                row=0,
                custom_id="pages:jump",
            )
            self.jump.callback = self._jump  # type: ignore[method-assign]
            self.add_item(self.jump)
        self._sync_controls()

    def _sync_controls(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1
        if self.jump is not None:
            current = self.pages[self.index].section_id
            self.jump.options = section_options(self.sections, current, self.language)

    @property
    def current(self) -> Page:
        """The page on show."""
        return self.pages[self.index]

    async def interaction_check(self, interaction: discord.Interaction[discord.Client], /) -> bool:
        """Only the person who opened the pages may turn them; others are told so privately."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            translate("error.not_your_pages", interaction.locale.value),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return False

    async def _show(self, interaction: discord.Interaction[discord.Client], index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_controls()
        self.interaction = interaction
        await interaction.response.edit_message(
            embeds=page_embeds(self.current), view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(
        label="Previous",
        emoji="◀️",
        style=discord.ButtonStyle.secondary,
        row=1,
        custom_id="pages:previous",
    )
    async def previous_page(
        self,
        interaction: discord.Interaction[discord.Client],
        button: discord.ui.Button[PageNavigator],
    ) -> None:
        """Show the previous page."""
        await self._show(interaction, self.index - 1)

    @discord.ui.button(
        label="Next", emoji="▶️", style=discord.ButtonStyle.primary, row=1, custom_id="pages:next"
    )
    async def next_page(
        self,
        interaction: discord.Interaction[discord.Client],
        button: discord.ui.Button[PageNavigator],
    ) -> None:
        """Show the next page."""
        await self._show(interaction, self.index + 1)

    async def _jump(self, interaction: discord.Interaction[discord.Client]) -> None:
        """Jump to the first page of the chosen section (or the overview)."""
        assert self.jump is not None
        wanted = self.jump.values[0] if self.jump.values else OVERVIEW_OPTION
        target = next(
            (
                i
                for i, page in enumerate(self.pages)
                if (page.section_id or OVERVIEW_OPTION) == wanted
            ),
            self.index,
        )
        await self._show(interaction, target)

    async def on_timeout(self) -> None:
        """Remove the controls once they can no longer be used."""
        if self.interaction is None:
            return
        try:
            await self.interaction.edit_original_response(view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.debug("could not remove expired page controls", exc_info=True)

    async def on_error(
        self,
        interaction: discord.Interaction[discord.Client],
        error: Exception,
        item: discord.ui.Item[PageNavigator],
        /,
    ) -> None:
        """Send component errors down the same path as command errors."""
        await report_error(interaction, error)


class ExpiredPages(discord.ui.View):
    """Catches clicks on page controls whose pages are gone, e.g. after a restart.

    Registered once as a persistent view; discord.py only falls back to it when no live
    `PageNavigator` owns the message, so it never takes a click from a live one. It
    removes the dead controls and says why, instead of letting the click fail.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)

    async def _expired(self, interaction: discord.Interaction[discord.Client]) -> None:
        await interaction.response.edit_message(view=None, allowed_mentions=NO_MENTIONS)
        await interaction.followup.send(
            translate("error.pages_expired", interaction.locale.value),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @discord.ui.button(label="Previous", custom_id="pages:previous")
    async def previous_page(
        self,
        interaction: discord.Interaction[discord.Client],
        button: discord.ui.Button[ExpiredPages],
    ) -> None:
        """An expired Previous button."""
        await self._expired(interaction)

    @discord.ui.button(label="Next", custom_id="pages:next")
    async def next_page(
        self,
        interaction: discord.Interaction[discord.Client],
        button: discord.ui.Button[ExpiredPages],
    ) -> None:
        """An expired Next button."""
        await self._expired(interaction)

    @discord.ui.select(custom_id="pages:jump", options=[discord.SelectOption(label="-")])
    async def jump(
        self,
        interaction: discord.Interaction[discord.Client],
        select: discord.ui.Select[ExpiredPages],
    ) -> None:
        """An expired section menu."""
        await self._expired(interaction)

    async def on_error(
        self,
        interaction: discord.Interaction[discord.Client],
        error: Exception,
        item: discord.ui.Item[ExpiredPages],
        /,
    ) -> None:
        """Send errors down the same path as command errors."""
        await report_error(interaction, error)


def section_options(
    sections: Sequence[tuple[str, str]], current: str | None, language: str
) -> list[discord.SelectOption]:
    """The jump menu: the overview, then up to 24 numbered sections around `current`."""
    room = SELECT_OPTION_LIMIT - 1
    position = next((i for i, (sid, _) in enumerate(sections) if sid == current), 0)
    first = max(0, min(position - room // 2, len(sections) - room))
    options = [
        discord.SelectOption(
            label=translate("label.overview", language),
            value=OVERVIEW_OPTION,
            default=current is None,
        )
    ]
    for number, (section_id, heading) in enumerate(sections[first : first + room], start=first + 1):
        options.append(
            discord.SelectOption(
                label=truncate(f"{number}. {heading}", OPTION_TEXT_LIMIT),
                value=section_id,
                default=section_id == current,
            )
        )
    return options


def reader_language(interaction: discord.Interaction[discord.Client]) -> str:
    """The language the member's Discord client is set to, as the bot's texts name it."""
    return language_of(interaction.locale.value)


def must_be_private(interaction: discord.Interaction[discord.Client]) -> bool:
    """Whether Discord shows a reply only to its member: the app is installed by the user,
    not the server, and the server does not let members use external apps there."""
    return (
        interaction.guild_id is not None
        and not interaction.is_guild_integration()
        and not interaction.permissions.use_external_apps
    )


async def send_pages(
    interaction: discord.Interaction[discord.Client],
    pages: Sequence[Page],
    *,
    ephemeral: bool,
    language: str,
    sections: Sequence[tuple[str, str]] = (),
) -> None:
    """Reply with the first page, and page controls when there is more to see.

    Works after `defer()` too: the reply then completes the deferred response.
    """
    ephemeral = ephemeral or must_be_private(interaction)
    first = page_embeds(pages[0])
    view: PageNavigator | None = None
    if len(pages) > 1 or sections:
        view = PageNavigator(
            pages, owner_id=interaction.user.id, language=language, sections=sections
        )
        view.interaction = interaction
    if interaction.response.is_done():
        if view is None:
            await interaction.followup.send(
                embeds=first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(
                embeds=first, view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        return
    if view is None:
        await interaction.response.send_message(
            embeds=first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            embeds=first, view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        if error.__cause__ is None:
            break
        error = error.__cause__
    return error


def _shown(value: object, locale: str) -> str:
    """A user-typed value made safe to echo: shortened whatever its type, markdown literal."""
    return echo(value, locale, limit=ECHO_LIMIT, escape=escape_markdown)


def error_text(error: BaseException, locale: str) -> str | None:
    """The friendly message for an error we expect, or None for a bug.

    What the user typed is shortened before it goes into the message, so the guidance
    that follows it always fits in one Discord message.
    """
    error = _unwrap(error)
    if isinstance(error, UserFacingError):
        # By convention `value` is what the user typed; everything else comes from us.
        params = {
            name: _shown(value, locale) if name == "value" else value
            for name, value in error.params.items()
        }
        return error_message(error.key, locale, **params)
    if isinstance(error, app_commands.NoPrivateMessage):
        return translate("error.guild_only", locale)
    if isinstance(error, app_commands.MissingPermissions):
        names = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return translate("error.not_allowed", locale, permission=names)
    if isinstance(error, app_commands.CommandOnCooldown):
        return translate("error.cooldown", locale, seconds=max(1, round(error.retry_after)))
    if isinstance(error, app_commands.CheckFailure):
        return translate("error.not_allowed_generic", locale)
    return None


async def report_error(
    interaction: discord.Interaction[discord.Client], error: BaseException
) -> None:
    """The one error path: a friendly private reply, and a logged traceback for bugs."""
    locale = interaction.locale.value
    message = error_text(error, locale)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "component"
        log.error("unexpected error in %s", command, exc_info=_unwrap(error))
        message = translate("error.internal", locale)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # an autocomplete cannot carry a message; the choices simply stay empty
    try:
        await send_error(interaction, message)
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


async def send_error(interaction: discord.Interaction[discord.Client], message: str) -> None:
    """Tell the user what went wrong, privately, whether or not we already replied."""
    await send_private(interaction, message)


async def send_private(interaction: discord.Interaction[discord.Client], message: str) -> None:
    """Reply with text only the user sees, mentioning nobody, whether or not we replied."""
    message = truncate(message, CONTENT_LIMIT)
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            message, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def send_private_message(
    interaction: discord.Interaction[discord.Client], message: OutgoingMessage, content: str | None
) -> None:
    """Reply with a digest message (its embeds, with `content`) only the user sees."""
    embeds = message.discord_embeds()
    if interaction.response.is_done():
        await interaction.followup.send(
            content or discord.utils.MISSING,
            embeds=embeds,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
    else:
        await interaction.response.send_message(
            content, embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
