"""`/briefing-admin download|upload|history|restore`: edit briefing files from inside Discord.

The commands join the `/briefing-admin` group that `bot.discord.cogs.admin` defines (it
loads first), under the same admin rule. Checking, diffing, the history and the
compare-and-swap write are in `bot.authoring.changes`; the cards and buttons in
`bot.discord.authoring_views`. Every applied change is logged and posted to the admin
channel, naming who made it and pinging nobody.
"""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.authoring.changes import Applied, BriefingFiles, FileChanged, Review
from bot.authoring.history import Version, VersionNotFound, check_topic, content_hash
from bot.briefings.loader import MAX_FILE_BYTES, display_path
from bot.discord.authoring_views import (
    ChangePreview,
    ExpiredPreview,
    FileChangedSinceUpload,
    FileTooLarge,
    InvalidTopicId,
    NotAYamlFile,
    Origin,
    UnknownVersion,
    applied_card,
    audit_notice,
    file_name,
    history_pages,
    identical_card,
    preview_card,
    refusal_pages,
    version_choice_name,
)
from bot.discord.cogs.admin import is_briefbot_admin
from bot.discord.cogs.choices import topic_choices_for
from bot.discord.rendering import NO_MENTIONS, card_embed, reader_language, send_pages
from bot.errors import AdminOnly, TopicNotFound
from bot.text.i18n import DEFAULT_LANGUAGE, translate

if TYPE_CHECKING:
    from bot.discord.client import BriefBot

log = logging.getLogger(__name__)

Interaction = discord.Interaction[discord.Client]
ADMIN_GROUP = "briefing-admin"
TOPIC = "The briefing's id, title or alias"
CHOICE_LIMIT = 25


class AuthoringCog(commands.Cog):
    """Download, upload, list and restore briefing files, each change previewed first."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self._group: app_commands.Group | None = None

    @property
    def files(self) -> BriefingFiles:
        """The briefing files the bot serves, as edits read and replace them."""
        return BriefingFiles(self.bot.settings.briefings_dir)

    def join_admin_group(self) -> None:
        """Move this cog's commands under `/briefing-admin` (discord.py adds them top-level)."""
        group = self.bot.tree.get_command(ADMIN_GROUP)
        if not isinstance(group, app_commands.Group):
            raise RuntimeError(f"load the /{ADMIN_GROUP} group before {__name__}")
        for command in self.get_app_commands():
            self.bot.tree.remove_command(command.name)
            group.add_command(command)
        self._group = group

    async def cog_load(self) -> None:
        """Answer clicks on previews that outlived the bot (after a restart)."""
        self.bot.add_view(ExpiredPreview())

    async def cog_unload(self) -> None:
        """Take this cog's commands out of `/briefing-admin` again."""
        if self._group is not None:
            for command in self.walk_app_commands():
                self._group.remove_command(command.name)

    async def _require_admin(self, interaction: Interaction) -> str:
        if not await is_briefbot_admin(self.bot, interaction):
            raise AdminOnly()
        return reader_language(interaction)

    def _existing_topic(self, typed: str) -> str:
        """The id of a served topic, or of one that has a file or kept versions on disk."""
        briefing = self.bot.library.get(typed)
        if briefing is not None:
            return briefing.id
        name = typed.strip()
        try:
            files = self.files
            if files.path_of(name).exists() or files.history.versions(name):
                return name
        except ValueError:
            pass
        return self.bot.library.find_topic(typed).id  # raises TopicNotFound, with suggestions

    def _upload_topic(self, typed: str | None, filename: str) -> str:
        """The topic an upload is for: the one named, else the file's name without `.yaml`."""
        if typed:
            briefing = self.bot.library.get(typed)
            if briefing is not None:
                return briefing.id
        name = (typed or filename[: -len(".yaml")]).strip()
        try:
            return check_topic(name)
        except ValueError:
            raise InvalidTopicId(value=name) from None

    async def _review(self, topic: str, data: bytes) -> Review:
        """Check new bytes for a topic, in a worker thread, against what is served now."""
        files = self.files
        library = self.bot.library  # one snapshot for the whole check
        return await asyncio.to_thread(
            files.review,
            topic,
            data,
            served=library.briefings.get(topic),
            others={files.path_of(b.id): b for b in library if b.id != topic},
            stale_after_days=self.bot.settings.stale_after_days,
        )

    async def topic_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics matching what the admin has typed so far."""
        try:
            return topic_choices_for(self.bot.library, current)
        except Exception:
            log.exception("topic autocomplete failed for %r", current)
            return []

    async def version_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """The kept versions of the topic chosen so far, newest first (admins only)."""
        topic = getattr(interaction.namespace, "topic", None)
        if not isinstance(topic, str) or not await is_briefbot_admin(self.bot, interaction):
            return []
        try:
            versions = await asyncio.to_thread(
                self.files.history.versions, self._existing_topic(topic)
            )
        except Exception:
            return []  # an unknown topic simply has no versions to offer
        typed = str(current).strip().lstrip("#")
        language = reader_language(interaction)
        return [
            app_commands.Choice(name=version_choice_name(v, language), value=v.number)
            for v in versions
            if str(v.number).startswith(typed)
        ][:CHOICE_LIMIT]

    @app_commands.command(name="download")
    @app_commands.describe(topic=TOPIC)
    @app_commands.autocomplete(topic=topic_choices)
    async def download(self, interaction: Interaction, topic: str) -> None:
        """Attach the topic's YAML file exactly as it is on disk."""
        language = await self._require_admin(interaction)
        topic_id = self._existing_topic(topic)
        data = await asyncio.to_thread(self.files.read, topic_id)
        if data is None:  # served, but its file was deleted a moment ago
            raise TopicNotFound(value=topic)
        note = translate("editing.download", language, file=file_name(topic_id), size=len(data))
        await interaction.response.send_message(
            note,
            file=discord.File(io.BytesIO(data), filename=f"{topic_id}.yaml"),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="upload")
    @app_commands.describe(
        file="A briefing file (.yaml, at most 1 MiB)",
        topic="The topic to save it as (default: the file's name)",
    )
    @app_commands.autocomplete(topic=topic_choices)
    async def upload(
        self, interaction: Interaction, file: discord.Attachment, topic: str | None = None
    ) -> None:
        """Check a briefing file and preview what it changes, with Apply and Cancel."""
        language = await self._require_admin(interaction)
        if not file.filename.lower().endswith(".yaml"):
            raise NotAYamlFile(value=file.filename)
        if file.size > MAX_FILE_BYTES:
            raise FileTooLarge(size=f"{file.size:,}", limit=f"{MAX_FILE_BYTES:,}")
        topic_id = self._upload_topic(topic, file.filename)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        if len(data) > MAX_FILE_BYTES:
            raise FileTooLarge(size=f"{len(data):,}", limit=f"{MAX_FILE_BYTES:,}")
        review = await self._review(topic_id, data)
        await self._show(interaction, review, Origin(upload=file.filename), language)

    @app_commands.command(name="history")
    @app_commands.describe(topic=TOPIC)
    @app_commands.autocomplete(topic=topic_choices)
    async def history(self, interaction: Interaction, topic: str) -> None:
        """List the kept earlier versions of a topic's file, newest first."""
        language = await self._require_admin(interaction)
        topic_id = self._existing_topic(topic)
        files = self.files
        versions = await asyncio.to_thread(files.versions, topic_id)
        pages = history_pages(topic_id, versions, files.history.keep, language)
        await send_pages(interaction, pages, ephemeral=True, language=language)

    @app_commands.command(name="restore")
    @app_commands.describe(topic=TOPIC, version="The version's number, from the history")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(version=version_choices)
    async def restore(self, interaction: Interaction, topic: str, version: int) -> None:
        """Preview bringing back a kept version, with Apply and Cancel."""
        language = await self._require_admin(interaction)
        topic_id = self._existing_topic(topic)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            kept, data = await asyncio.to_thread(self._read_version, topic_id, version)
        except VersionNotFound:
            raise UnknownVersion(topic=topic_id, value=version) from None
        review = await self._review(topic_id, data)
        await self._show(interaction, review, Origin(restored=kept), language)

    def _read_version(self, topic: str, number: int) -> tuple[Version, bytes]:
        kept = self.files.history.get(topic, number)
        return kept, kept.read()

    async def _show(
        self, interaction: Interaction, review: Review, origin: Origin, language: str
    ) -> None:
        """Reply to a checked change: its errors, "nothing to apply", or a preview with buttons."""
        if review.errors:
            await send_pages(
                interaction, refusal_pages(review, language), ephemeral=True, language=language
            )
            return
        if review.identical:
            card = identical_card(review, language)
            await interaction.edit_original_response(
                embed=card_embed(card), allowed_mentions=NO_MENTIONS
            )
            return
        served = review.topic in self.bot.library.briefings
        card = preview_card(review, origin, served=served, language=language)
        view = ChangePreview(
            review, origin, owner_id=interaction.user.id, language=language, on_apply=self._apply
        )
        view.interaction = interaction
        await interaction.edit_original_response(
            embed=card_embed(card), view=view, allowed_mentions=NO_MENTIONS
        )

    async def _apply(self, interaction: Interaction, preview: ChangePreview) -> None:
        """Apply a previewed change: compare-and-swap the file, reload, report, announce."""
        language = await self._require_admin(interaction)
        review, origin = preview.review, preview.origin
        await interaction.response.defer()
        try:
            applied = await asyncio.to_thread(self.files.apply, review, self.bot.clock())
        except FileChanged:
            await interaction.edit_original_response(view=None, allowed_mentions=NO_MENTIONS)
            raise FileChangedSinceUpload(file=file_name(review.topic)) from None
        await self._announce(interaction.user, review, origin, applied)
        report = await self.bot.reload_briefings()
        # Served exactly as reviewed, or not: then the reload's errors for the file say why.
        serving = self.bot.library.briefings.get(review.topic) == review.briefing
        shown = display_path(applied.path)
        errors = [p for p in report.errors if p.file == shown]
        card = applied_card(review, origin, applied.kept, serving, errors, language)
        await interaction.edit_original_response(
            embed=card_embed(card), view=None, allowed_mentions=NO_MENTIONS
        )

    async def _announce(
        self, user: discord.abc.User, review: Review, origin: Origin, applied: Applied
    ) -> None:
        """Log an applied change and post it to the admin channel, naming who made it."""
        diff = review.diff
        log.info(
            "%s (%d) applied %s to %s (sha256 %s): %d section(s) added, %d removed, %d edited; "
            "previous version %s",
            user.name,
            user.id,
            origin.describe(DEFAULT_LANGUAGE),
            _shown_path(applied.path),
            content_hash(review.data),
            len(diff.added) if diff else 0,
            len(diff.removed) if diff else 0,
            len(diff.edited) if diff else 0,
            f"kept as #{applied.kept.number}" if applied.kept else "none (a new file)",
        )
        channel_id = self.bot.settings.admin_channel_id
        if channel_id is None:
            return
        content, card = audit_notice(user, review, origin, applied.kept, DEFAULT_LANGUAGE)
        try:
            await self.bot.get_partial_messageable(channel_id).send(
                content, embed=card_embed(card), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException:
            log.warning("could not post an applied change to the admin channel", exc_info=True)


def _shown_path(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


async def setup(bot: BriefBot) -> None:
    """Load the editing commands into `/briefing-admin`."""
    cog = AuthoringCog(bot)
    await bot.add_cog(cog)
    cog.join_admin_group()
