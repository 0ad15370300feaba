"""What admins see when they edit briefings from Discord: errors, previews, history, notices.

The cards are plain data (`bot.text.cards`) built from the pure editing core
(`bot.authoring.changes`); `ChangePreview` carries the Apply and Cancel buttons under a
preview, for the admin who asked for it only. The domain errors of editing live here
too, next to the only code that raises them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import discord

from bot.authoring.changes import BriefingDiff, Review, SectionChange
from bot.authoring.history import Version
from bot.briefings.loader import Problem
from bot.discord.rendering import NAVIGATION_TIMEOUT, NO_MENTIONS, card_embed, report_error
from bot.errors import UserFacingError
from bot.text.cards import Card, CardWriter, Page, escape_markdown, number_pages, paginate
from bot.text.i18n import translate
from bot.text.split import truncate

log = logging.getLogger(__name__)

Interaction = discord.Interaction[discord.Client]
# A preview lists at most this many sections of each kind and this many warnings; when
# even that is too much for one message (very long ids), fewer.
LIST_LIMITS = (10, 5, 2)
PROBLEM_TEXT_LIMIT = 200
HEADING_LIMIT = 80
FIELDS_LIMIT = 80
APPLY_ID = "editing:apply"
CANCEL_ID = "editing:cancel"


class NotAYamlFile(UserFacingError):
    """The attachment is not named `*.yaml`."""

    key = "error.editing_not_yaml"


class FileTooLarge(UserFacingError):
    """The attachment is over the 1 MiB a briefing file may be."""

    key = "error.editing_too_large"


class InvalidTopicId(UserFacingError):
    """The topic a file would be saved as is not a valid id."""

    key = "error.editing_bad_topic"


class FileChangedSinceUpload(UserFacingError):
    """Apply found the file changed since the preview; nothing was written."""

    key = "error.editing_file_changed"


class UnknownVersion(UserFacingError):
    """No kept version of the topic has the number the admin gave."""

    key = "error.editing_unknown_version"


@dataclass(frozen=True)
class Origin:
    """Where a change comes from: an uploaded file, or a kept version being restored."""

    upload: str | None = None  # the attachment's file name
    restored: Version | None = None

    def describe(self, language: str) -> str:
        """The change's origin in words: an upload of `x.yaml`, or a restore of version #3."""
        if self.restored is not None:
            return translate("editing.how_restore", language, number=self.restored.number)
        name = (self.upload or "").replace("`", "'")  # shown as code, so only backticks matter
        return translate("editing.how_upload", language, name=name)


def file_name(topic: str) -> str:
    """The topic's file as admins know it."""
    return f"`briefings/{topic}.yaml`"


def problem_text(problem: Problem) -> str:
    """`LINE:COL: field.path: message`: a problem's place in the file and what is wrong."""
    what = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return f"{problem.line}:{problem.column}: {what}"


def _problem_line(problem: Problem, mark: str, limit: int | None = None) -> str:
    """One problem as a line of a card, shown literally (it echoes the file's text)."""
    text = problem_text(problem).replace("`", "'")
    return f"{mark} `{truncate(text, limit) if limit else text}`"


def user_label(user: discord.abc.User) -> str:
    """Who did something: a mention (which pings nobody) and their name."""
    return f"{user.mention} ({escape_markdown(user.name)})"


def refusal_pages(review: Review, language: str) -> list[Page]:
    """The answer to a file that does not load: every error and warning; nothing changed."""
    title = translate("editing.refused_title", language, topic=review.topic)
    writer = CardWriter(title, language)
    writer.describe(
        translate(
            "editing.refused", language, file=file_name(review.topic), count=len(review.errors)
        )
    )
    writer.add_field(
        translate("editing.errors", language),
        "\n".join(_problem_line(p, "❌") for p in review.errors),
    )
    writer.add_field(
        translate("editing.warnings", language),
        "\n".join(_problem_line(p, "⚠️") for p in review.warnings),
    )
    return number_pages(paginate(writer.finish()), language)


def _capped(lines: Sequence[str], limit: int, language: str) -> str:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(translate("editing.more", language, count=len(lines) - limit))
    return "\n".join(shown)


def _one_card(build: Callable[[int], list[Card]]) -> Card:
    """The first of the list limits whose cards fit on one card (a message under buttons)."""
    cards: list[Card] = []
    for limit in LIST_LIMITS:
        cards = build(limit)
        if len(cards) == 1:
            break
    return cards[0]


def _section_line(change: SectionChange, mark: str) -> str:
    heading = escape_markdown(truncate(change.heading, HEADING_LIMIT))
    line = f"{mark} {change.number}. {heading} (`{change.id}`)"
    if change.fields:
        line += ": " + truncate(", ".join(change.fields), FIELDS_LIMIT)
    return line


def _add_diff(writer: CardWriter, diff: BriefingDiff, language: str, limit: int) -> None:
    kinds = (
        ("editing.added", diff.added, "➕"),
        ("editing.removed", diff.removed, "➖"),
        ("editing.edited", diff.edited, "✏️"),
    )
    for key, changes, mark in kinds:
        if changes:
            lines = [_section_line(change, mark) for change in changes]
            writer.add_field(
                translate(key, language, count=len(changes)), _capped(lines, limit, language)
            )
    if diff.fields:
        writer.add_field(
            translate("editing.fields_changed", language), ", ".join(f"`{f}`" for f in diff.fields)
        )
    if diff.reordered:
        writer.add_field(
            translate("editing.order", language), translate("editing.reordered", language)
        )


def preview_card(review: Review, origin: Origin, *, served: bool, language: str) -> Card:
    """The preview of a valid change: what it adds, removes and edits, and its warnings."""
    assert review.diff is not None, "only a file that loads has a preview"
    diff = review.diff
    if origin.restored is not None:
        title = translate(
            "editing.restore_title", language, number=origin.restored.number, topic=review.topic
        )
    else:
        title = translate("editing.preview_title", language, topic=review.topic)
    file = file_name(review.topic)
    if review.base_hash is None:
        intro = translate("editing.preview_new", language, topic=review.topic, file=file)
    elif not served:
        intro = translate("editing.preview_unserved", language, file=file)
    else:
        intro = translate("editing.preview_compared", language)
    if not diff.changes_anything:
        intro += "\n" + translate("editing.formatting_only", language)
    intro += "\n" + translate("editing.apply_hint", language, file=file)
    warnings = [_problem_line(p, "⚠️", PROBLEM_TEXT_LIMIT) for p in review.warnings]

    def build(limit: int) -> list[Card]:
        writer = CardWriter(title, language)
        writer.describe(intro)
        _add_diff(writer, diff, language, limit)
        if warnings:
            writer.add_field(
                translate("editing.warnings_count", language, count=len(warnings)),
                _capped(warnings, limit, language),
            )
        return writer.finish()

    return _one_card(build)


def identical_card(review: Review, language: str) -> Card:
    """The answer to a file that is exactly the one on disk: nothing to apply."""
    title = translate("editing.preview_title", language, topic=review.topic)
    text = translate("editing.identical", language, file=file_name(review.topic))
    return Card(title=title, description=text)


def applied_card(
    review: Review,
    origin: Origin,
    kept: Version | None,
    serving: bool,
    load_errors: Sequence[Problem],
    language: str,
) -> Card:
    """What Apply did: the file written, the version kept, and whether the bot serves it."""
    file = file_name(review.topic)
    title = translate("editing.applied_title", language, topic=review.topic)
    lines = [translate("editing.applied", language, file=file, how=origin.describe(language))]
    if kept is not None:
        lines.append(translate("editing.kept", language, number=kept.number))
    if serving and review.briefing is not None:
        count = len(review.briefing.sections)
        lines.append(translate("editing.serving", language, topic=review.topic, count=count))
    else:
        lines.append(translate("editing.not_serving", language))
    errors = [_problem_line(p, "❌", PROBLEM_TEXT_LIMIT) for p in load_errors]

    def build(limit: int) -> list[Card]:
        writer = CardWriter(title, language)
        writer.describe("\n".join(lines))
        if errors:
            writer.add_field(
                translate("editing.errors", language), _capped(errors, limit, language)
            )
        return writer.finish()

    return _one_card(build)


def cancelled_card(review: Review, language: str) -> Card:
    """What Cancel leaves behind: nothing changed."""
    title = translate("editing.preview_title", language, topic=review.topic)
    return Card(title=title, description=translate("editing.cancelled", language))


def audit_notice(
    user: discord.abc.User, review: Review, origin: Origin, kept: Version | None, language: str
) -> tuple[str, Card]:
    """The admin channel's record of an applied change: who, which file, how, and what changed."""
    content = translate(
        "editing.audit",
        language,
        user=user_label(user),
        file=file_name(review.topic),
        how=origin.describe(language),
    )
    title = translate("editing.applied_title", language, topic=review.topic)

    def build(limit: int) -> list[Card]:
        writer = CardWriter(title, language)
        if kept is not None:
            writer.describe(translate("editing.kept", language, number=kept.number))
        if review.diff is not None:
            _add_diff(writer, review.diff, language, limit)
        return writer.finish()

    return content, _one_card(build)


def _when(moment: dt.datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"


def history_pages(
    topic: str, versions: Sequence[tuple[Version, bool]], limit: int, language: str
) -> list[Page]:
    """`/briefing-admin history`: each kept version, newest first, with when it was replaced."""
    writer = CardWriter(translate("editing.history_title", language, topic=topic), language)
    if not versions:
        writer.describe(translate("editing.history_empty", language, file=file_name(topic)))
        return paginate(writer.finish())
    writer.describe(translate("editing.history_intro", language, limit=limit))
    lines = []
    for version, current in versions:
        line = translate(
            "editing.history_line",
            language,
            number=version.number,
            when=_when(version.saved_at),
            size=f"{version.size:,}",
        )
        if current:
            line += " " + translate("editing.history_current", language)
        lines.append(line)
    writer.add_field(translate("editing.versions", language), "\n".join(lines))
    return number_pages(paginate(writer.finish()), language)


def version_choice_name(version: Version, language: str) -> str:
    """A kept version as an autocomplete choice shows it (Discord renders no timestamps there)."""
    when = version.saved_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return translate(
        "editing.version_choice", language, number=version.number, when=when, size=version.size
    )


ApplyHandler = Callable[[Interaction, "ChangePreview"], Awaitable[None]]


class ChangePreview(discord.ui.View):
    """Apply and Cancel under a preview, for the admin who asked for it only.

    Apply hands the reviewed change to `on_apply` (the cog), which writes it only if the
    file has not changed since; a change is applied or cancelled once.
    """

    def __init__(
        self,
        review: Review,
        origin: Origin,
        *,
        owner_id: int,
        language: str,
        on_apply: ApplyHandler,
        timeout: float = NAVIGATION_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.review = review
        self.origin = origin
        self.owner_id = owner_id
        self.language = language
        self.on_apply = on_apply
        self.settled = False  # applied, being applied, or cancelled
        # The interaction whose token edits the preview when the buttons expire.
        self.interaction: Interaction | None = None
        self.apply.label = translate("editing.apply", language)
        self.cancel.label = translate("editing.cancel", language)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Only the admin who asked for the preview may press its buttons."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            translate("editing.not_your_preview", interaction.locale.value),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return False

    async def _already_settled(self, interaction: Interaction) -> bool:
        if not self.settled:
            self.settled = True
            return False
        await interaction.response.send_message(
            translate("editing.already_settled", interaction.locale.value),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return True

    @discord.ui.button(label="Apply", style=discord.ButtonStyle.success, custom_id=APPLY_ID)
    async def apply(
        self, interaction: Interaction, button: discord.ui.Button[ChangePreview]
    ) -> None:
        """Write the change, if the file is still the one it was compared with."""
        if await self._already_settled(interaction):
            return
        try:
            await self.on_apply(interaction, self)
        except BaseException:
            self.settled = False  # nothing or not all went through; pressing again is safe
            raise
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id=CANCEL_ID)
    async def cancel(
        self, interaction: Interaction, button: discord.ui.Button[ChangePreview]
    ) -> None:
        """Drop the change; nothing is written."""
        if await self._already_settled(interaction):
            return
        self.stop()
        card = cancelled_card(self.review, self.language)
        await interaction.response.edit_message(
            embed=card_embed(card), view=None, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        """Remove the buttons once they can no longer be used."""
        if self.interaction is None or self.settled:
            return
        try:
            await self.interaction.edit_original_response(view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.debug("could not remove an expired preview's buttons", exc_info=True)

    async def on_error(
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[ChangePreview], /
    ) -> None:
        """Send button errors down the same path as command errors."""
        await report_error(interaction, error)


class ExpiredPreview(discord.ui.View):
    """Answers Apply and Cancel under a preview that is gone (the bot restarted meanwhile).

    Registered once as a persistent view; a live `ChangePreview` always takes its own
    clicks first. Nothing is written: the admin is asked to upload again.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)

    async def _expired(self, interaction: Interaction) -> None:
        await interaction.response.edit_message(view=None, allowed_mentions=NO_MENTIONS)
        await interaction.followup.send(
            translate("editing.expired", interaction.locale.value),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @discord.ui.button(label="Apply", custom_id=APPLY_ID)
    async def apply(
        self, interaction: Interaction, button: discord.ui.Button[ExpiredPreview]
    ) -> None:
        """An expired Apply button."""
        await self._expired(interaction)

    @discord.ui.button(label="Cancel", custom_id=CANCEL_ID)
    async def cancel(
        self, interaction: Interaction, button: discord.ui.Button[ExpiredPreview]
    ) -> None:
        """An expired Cancel button."""
        await self._expired(interaction)

    async def on_error(
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[ExpiredPreview], /
    ) -> None:
        """Send errors down the same path as command errors."""
        await report_error(interaction, error)
