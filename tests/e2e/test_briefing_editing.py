"""Editing briefings from inside Discord, end to end: download, upload, apply, history, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from simcord.backend.errors import SetupError

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from bot.discord.rendering import NAVIGATION_TIMEOUT
from tests.e2e.briefing_world import assert_mentions_nobody, component, components, message_text

SEED = "ukraine-ceasefire"
OLD_ANSWER = "米露間の接触は活発化、プーチン大統領が立場説明へ。"
NEW_ANSWER = "米露の接触が続き、首脳会談の準備が進む。"
ENERGY_SECTION = """
  - id: energy
    heading: Energy talks
    answer: Talks on energy sites continue.
    published: 2025-03-14
"""

NEW_TOPIC = b"""\
title: Moon base logistics
summary: How supplies reach the (fictional) moon base.
language: en
updated: 2026-11-01
sections:
  - id: cargo
    heading: Cargo runs
    answer: Two cargo runs a month keep the base supplied.
    published: 2026-11-01
"""


class World:
    """One guild with two admins, an ordinary member, a channel and the admin channel."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.bot: BriefBot = env.bot
        self.guild = env.create_guild("Newsroom")
        self.channel = self.guild.create_text_channel("briefings")
        self.admin_channel = self.guild.create_text_channel("bot-admin")
        staff = self.guild.create_role("Staff", permissions=discord.Permissions(manage_guild=True))
        self.admin = self.guild.add_member(env.create_user("editor"), roles=[staff])
        self.second_admin = self.guild.add_member(env.create_user("copyeditor"), roles=[staff])
        self.member = self.guild.add_member(env.create_user("reader"))
        self.bot.settings = self.bot.settings.model_copy(
            update={"admin_channel_id": self.admin_channel.id}
        )

    @property
    def folder(self) -> Path:
        return self.bot.settings.briefings_dir

    @property
    def seed(self) -> Path:
        return self.folder / f"{SEED}.yaml"

    def history(self, topic: str = SEED) -> list[Path]:
        folder = self.folder / ".history" / topic
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def edited_seed(self, *replacements: tuple[str, str]) -> bytes:
        text = self.seed.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new, 1)
        return text.encode("utf-8")

    async def admin_command(
        self, name: str, actor: simcord.MemberActor | None = None, **options: Any
    ) -> simcord.InteractionResult:
        return await (actor or self.admin).slash(self.channel, f"briefing-admin {name}", **options)

    async def upload(
        self,
        data: bytes,
        name: str = f"{SEED}.yaml",
        actor: simcord.MemberActor | None = None,
        **options: Any,
    ) -> simcord.ResponseMessage:
        result = await self.admin_command("upload", actor, file=(name, data), **options)
        assert result.ephemeral
        assert result.response is not None, "the bot did not respond"
        return result.response

    async def apply(
        self, preview: simcord.ResponseMessage, actor: simcord.MemberActor | None = None
    ) -> simcord.InteractionResult:
        return await (actor or self.admin).click(preview, custom_id="editing:apply")

    async def upload_and_apply(self, data: bytes, **options: Any) -> simcord.ResponseMessage:
        preview = await self.upload(data, **options)
        await self.apply(preview)
        return preview

    async def answer_of(self, section: str = "us-russia-talks") -> str:
        result = await self.member.slash(
            self.channel, "briefing section", topic=SEED, section=section
        )
        assert result.response is not None
        return message_text(result.response)

    def admin_notices(self) -> list[discord.Message]:
        return list(self.admin_channel.history())


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def error_names(env: simcord.Env) -> list[str]:
    return [type(getattr(error, "original", error)).__name__ for error in env.errors]


def field(message: simcord.ResponseMessage, name: str) -> str:
    [embed] = message.embeds
    found = [f.value or "" for f in embed.fields if (f.name or "").startswith(name)]
    assert found, f"no field {name!r} in {[f.name for f in embed.fields]}"
    return "\n".join(found)


async def test_download_attaches_the_file_on_disk_byte_for_byte(world: World) -> None:
    on_disk = world.seed.read_bytes()
    result = await world.admin_command("download", topic="ukraine")  # an alias works too
    assert result.ephemeral
    assert result.response is not None
    [attachment] = result.response.attachments
    assert attachment.filename == f"{SEED}.yaml"
    assert await attachment.read() == on_disk
    assert f"{len(on_disk):,} bytes" in result.response.content


async def test_an_upload_with_errors_lists_each_as_line_and_column_and_changes_nothing(
    world: World,
) -> None:
    before = world.seed.read_bytes()
    broken = world.edited_seed(
        ("url: https://www.jiji.com", "url: ftp://www.jiji.com"),
        ("    commentary: |-", "    comentary: |-"),
        (OLD_ANSWER, NEW_ANSWER),
    )
    reply = await world.upload(broken)
    [embed] = reply.embeds
    assert embed.title == f"Not changed: {SEED}"
    assert "2 error(s), so nothing was changed" in (embed.description or "")
    assert field(reply, "Errors").splitlines() == [
        "❌ `28:14: sections[0].sources[0].url: must be an http:// or https:// URL`",
        "❌ `29:5: sections[0].comentary: unknown key 'comentary'; did you mean 'commentary'?`",
    ]
    assert list(components(reply)) == []  # nothing to apply
    assert world.seed.read_bytes() == before
    assert world.history() == []
    assert OLD_ANSWER in await world.answer_of()


async def test_a_yaml_syntax_error_is_placed_too(world: World) -> None:
    reply = await world.upload(b"title: Moon\nsummary: [unclosed\n", name="moon-base.yaml")
    [line] = field(reply, "Errors").splitlines()
    assert line.startswith("❌ `3:1: invalid YAML: ")
    assert not (world.folder / "moon-base.yaml").exists()


async def test_upload_then_apply_replaces_the_file_atomically_keeps_history_and_tells_admins(
    world: World,
) -> None:
    original = world.seed.read_bytes()
    inode_before = world.seed.stat().st_ino
    edited = world.edited_seed(
        (OLD_ANSWER, NEW_ANSWER),
        ("    heading: 米ロ首脳会談の可能性\n", "    heading: 米ロ首脳会談の見通し\n"),
        ("\nclosing:", ENERGY_SECTION + "\nclosing:"),
    )
    preview = await world.upload(edited)
    [embed] = preview.embeds
    assert embed.title == f"Preview: {SEED}"
    assert "Compared with the version the bot serves now." in (embed.description or "")
    assert field(preview, "Sections added (1)") == "➕ 4. Energy talks (`energy`)"
    assert field(preview, "Sections edited (2)").splitlines() == [
        "✏️ 1. 米露間の交渉の可能性 (`us-russia-talks`): answer",
        "✏️ 2. 米ロ首脳会談の見通し (`summit-prospects`): heading",
    ]
    assert "Sections removed" not in [f.name for f in embed.fields]
    assert component(preview, "editing:apply")["label"] == "Apply"
    assert component(preview, "editing:cancel")["label"] == "Cancel"
    assert world.seed.read_bytes() == original  # nothing changes before Apply

    since = len(world.env.http_requests)
    await world.apply(preview)

    assert world.seed.read_bytes() == edited
    assert world.seed.stat().st_ino != inode_before  # a new file renamed into place
    assert sorted(p.name for p in world.folder.iterdir()) == [".history", f"{SEED}.yaml"]
    [kept] = world.history()
    assert kept.name.startswith("1-")
    assert kept.read_bytes() == original
    [result] = preview.embeds
    assert result.title == f"Applied: {SEED}"
    assert "kept as version #1" in (result.description or "")
    assert "now serves `ukraine-ceasefire` with 4 section(s)" in (result.description or "")
    assert list(components(preview)) == []
    assert NEW_ANSWER in await world.answer_of()
    assert world.bot.library.get("ukraine-ceasefire").sections[-1].id == "energy"  # type: ignore[union-attr]

    [notice] = world.admin_notices()
    assert notice.content == (
        f"✏️ <@{world.admin.id}> (editor) changed `briefings/{SEED}.yaml` "
        f"with an upload of `{SEED}.yaml`."
    )
    assert "kept as version #1" in (notice.embeds[0].description or "")
    assert assert_mentions_nobody(world.env, since) >= 2  # the reply and the notice
    assert world.env.errors == []


async def test_the_second_of_two_racing_applies_is_refused(world: World) -> None:
    first = world.edited_seed((OLD_ANSWER, NEW_ANSWER))
    second = world.edited_seed((OLD_ANSWER, "二人目の編集者の答え。"))
    first_preview = await world.upload(first)
    second_preview = await world.upload(second, actor=world.second_admin)

    await world.apply(first_preview)
    refused = await world.apply(second_preview, actor=world.second_admin)

    assert world.seed.read_bytes() == first  # never silently overwritten
    assert len(world.history()) == 1
    [reply] = refused.followups
    assert reply.ephemeral
    assert "changed since you uploaded" in reply.content
    assert f"`briefings/{SEED}.yaml`" in reply.content
    assert list(components(second_preview)) == []  # its buttons are gone
    assert error_names(world.env) == ["FileChangedSinceUpload"]
    assert len(world.admin_notices()) == 1  # only the applied change is announced
    assert NEW_ANSWER in await world.answer_of()


async def test_restore_brings_back_a_kept_version_through_the_same_preview(world: World) -> None:
    original = world.seed.read_bytes()
    without_summit = world.edited_seed((OLD_ANSWER, NEW_ANSWER))
    await world.upload_and_apply(without_summit)
    assert world.seed.read_bytes() == without_summit

    shown = await world.admin_command("restore", topic=SEED, version=1)
    assert shown.response is not None
    preview = shown.response
    assert preview.embeds[0].title == f"Restore version #1 of {SEED}"
    assert field(preview, "Sections edited (1)") == (
        "✏️ 1. 米露間の交渉の可能性 (`us-russia-talks`): answer"
    )
    assert world.seed.read_bytes() == without_summit  # not before Apply

    await world.apply(preview)
    assert world.seed.read_bytes() == original
    assert [p.read_bytes() for p in world.history()] == [original, without_summit]
    assert OLD_ANSWER in await world.answer_of()
    notices = world.admin_notices()
    assert notices[-1].content.endswith("with a restore of version #1.")


async def test_restoring_an_unknown_version_is_explained(world: World) -> None:
    result = await world.admin_command("restore", topic=SEED, version=7)
    assert result.response is not None
    assert "has no kept version #7" in result.response.content
    assert error_names(world.env) == ["UnknownVersion"]


async def test_history_lists_the_last_20_versions_newest_first(world: World) -> None:
    original = world.seed.read_text(encoding="utf-8")
    for index in range(22):
        edited = original.replace(OLD_ANSWER, f"答え その{index}。")
        await world.upload_and_apply(edited.encode("utf-8"))
    assert len(world.history()) == 20
    result = await world.admin_command("history", topic=SEED)
    assert result.ephemeral
    assert result.response is not None
    lines = field(result.response, "Versions").splitlines()
    assert [line.split(" · ")[0] for line in lines] == [f"**#{n}**" for n in range(22, 2, -1)]
    assert "(the same as the file now)" not in lines[0]
    assert "the last 20 are kept" in (result.response.embeds[0].description or "")

    choices = await world.admin.autocomplete(
        world.channel, "briefing-admin restore", "version", "", topic=SEED
    )
    assert [choice["value"] for choice in choices] == list(range(22, 2, -1))
    assert choices[0]["name"].startswith("#22 · replaced ")
    assert choices[0]["name"].endswith(" bytes")


async def test_history_marks_the_version_that_equals_the_file_now(world: World) -> None:
    original = world.seed.read_bytes()
    await world.upload_and_apply(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    await world.upload_and_apply(original)
    result = await world.admin_command("history", topic=SEED)
    assert result.response is not None
    lines = field(result.response, "Versions").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("**#2**")
    assert "(the same as the file now)" not in lines[0]
    assert lines[1].startswith("**#1**")
    assert lines[1].endswith("(the same as the file now)")


async def test_uploading_a_new_topic_creates_it(world: World) -> None:
    preview = await world.upload(NEW_TOPIC, name="moon-base.yaml")
    assert "`moon-base` is a new topic" in (preview.embeds[0].description or "")
    assert field(preview, "Sections added (1)") == "➕ 1. Cargo runs (`cargo`)"
    assert not (world.folder / "moon-base.yaml").exists()

    await world.apply(preview)
    assert (world.folder / "moon-base.yaml").read_bytes() == NEW_TOPIC
    assert "now serves `moon-base` with 1 section(s)" in (preview.embeds[0].description or "")
    shown = await world.member.slash(world.channel, "briefing show", topic="moon-base")
    assert shown.response is not None
    assert shown.response.embeds[0].title == "Moon base logistics"
    history = await world.admin_command("history", topic="moon-base")
    assert history.response is not None
    assert "No earlier versions" in (history.response.embeds[0].description or "")
    [notice] = world.admin_notices()
    assert "changed `briefings/moon-base.yaml`" in notice.content


async def test_the_topic_option_names_the_file_an_upload_is_saved_as(world: World) -> None:
    preview = await world.upload(NEW_TOPIC, name="moon_base_draft.yaml", topic="moon-base")
    await world.apply(preview)
    assert (world.folder / "moon-base.yaml").read_bytes() == NEW_TOPIC
    assert not (world.folder / "moon_base_draft.yaml").exists()
    [notice] = world.admin_notices()
    assert notice.content.endswith("with an upload of `moon_base_draft.yaml`.")


async def test_a_file_that_never_loaded_can_be_downloaded_and_fixed(world: World) -> None:
    broken = NEW_TOPIC.replace(b"updated: 2026-11-01", b"updated: someday")
    (world.folder / "moon-base.yaml").write_bytes(broken)
    await world.bot.reload_briefings()
    assert world.bot.library.get("moon-base") is None
    downloaded = await world.admin_command("download", topic="moon-base")
    assert downloaded.response is not None
    assert await downloaded.response.attachments[0].read() == broken

    preview = await world.upload(NEW_TOPIC, name="moon-base.yaml")
    assert "Nothing is served from `briefings/moon-base.yaml` now" in (
        preview.embeds[0].description or ""
    )
    await world.apply(preview)
    assert world.bot.library.get("moon-base") is not None
    [kept] = world.history("moon-base")
    assert kept.read_bytes() == broken


async def test_an_alias_taken_by_another_topic_is_an_error_at_its_place(world: World) -> None:
    taken = NEW_TOPIC.replace(b"updated:", b"aliases: [ukraine]\nupdated:")
    reply = await world.upload(taken, name="moon-base.yaml")
    [line] = field(reply, "Errors").splitlines()
    assert line.startswith("❌ `4:11: aliases[0]: 'ukraine' is already used as an id or alias by ")
    assert not (world.folder / "moon-base.yaml").exists()


async def test_cancel_changes_nothing(world: World) -> None:
    before = world.seed.read_bytes()
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    await world.admin.click(preview, custom_id="editing:cancel")
    assert preview.embeds[0].description == "Cancelled: nothing was changed."
    assert list(components(preview)) == []
    assert world.seed.read_bytes() == before
    assert world.history() == []
    assert world.admin_notices() == []


async def test_uploading_the_file_unchanged_has_nothing_to_apply(world: World) -> None:
    reply = await world.upload(world.seed.read_bytes())
    assert "there is nothing to apply" in (reply.embeds[0].description or "")
    assert list(components(reply)) == []


async def test_a_file_that_only_changes_comments_says_readers_see_no_difference(
    world: World,
) -> None:
    preview = await world.upload(world.seed.read_bytes() + b"# a note for editors\n")
    assert "Readers will see no difference" in (preview.embeds[0].description or "")
    await world.apply(preview)
    assert world.seed.read_bytes().endswith(b"# a note for editors\n")


async def test_only_yaml_files_of_at_most_1_mib_are_taken(world: World) -> None:
    text = await world.admin_command("upload", file=("notes.txt", NEW_TOPIC))
    assert text.response is not None
    assert text.response.content == "“notes.txt” is not a briefing file: attach a `.yaml` file."
    big = await world.admin_command("upload", file=("big.yaml", b"#" * (1024 * 1024 + 1)))
    assert big.response is not None
    assert big.response.content == (
        "The file is 1,048,577 bytes; a briefing file may be at most 1,048,576 bytes (1 MiB)."
    )
    bad_name = await world.admin_command("upload", file=("Moon Base.yaml", NEW_TOPIC))
    assert bad_name.response is not None
    assert "cannot be a topic id" in bad_name.response.content
    assert error_names(world.env) == ["NotAYamlFile", "FileTooLarge", "InvalidTopicId"]
    empty = await world.upload(b"", name="moon-base.yaml")
    assert field(empty, "Errors") == (
        "❌ `1:1: a briefing must be a mapping of fields, found an empty file`"
    )
    assert sorted(p.name for p in world.folder.iterdir()) == [f"{SEED}.yaml"]


async def test_members_may_not_edit_briefings(world: World) -> None:
    attempts = [
        ("download", {"topic": SEED}),
        ("upload", {"file": (f"{SEED}.yaml", world.edited_seed((OLD_ANSWER, NEW_ANSWER)))}),
        ("history", {"topic": SEED}),
        ("restore", {"topic": SEED, "version": 1}),
    ]
    before = world.seed.read_bytes()
    for name, options in attempts:
        result = await world.admin_command(name, world.member, **options)
        assert result.ephemeral
        assert result.response is not None
        assert "Manage Server" in result.response.content
        assert result.response.attachments == []
    assert error_names(world.env) == ["AdminOnly"] * 4
    assert world.seed.read_bytes() == before
    choices = await world.member.autocomplete(
        world.channel, "briefing-admin restore", "version", "", topic=SEED
    )
    assert choices == []


async def test_a_preview_is_for_the_admin_who_asked_for_it_only(world: World) -> None:
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    with pytest.raises(SetupError, match="not visible"):
        await world.apply(preview, actor=world.second_admin)
    assert world.history() == []


async def test_an_admin_who_lost_the_right_cannot_apply(world: World) -> None:
    world.bot.settings = world.bot.settings.model_copy(
        update={"admin_user_ids": (world.member.id,)}
    )
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)), actor=world.member)
    world.bot.settings = world.bot.settings.model_copy(update={"admin_user_ids": ()})
    refused = await world.apply(preview, actor=world.member)
    assert refused.response is not None
    assert refused.response.ephemeral
    assert "Manage Server" in refused.response.content
    assert error_names(world.env) == ["AdminOnly"]
    assert world.history() == []


async def test_the_commands_are_subcommands_of_briefing_admin(world: World) -> None:
    commands = world.admin.available_commands(world.channel)
    for name in ("download", "upload", "history", "restore", "status", "reload"):
        assert f"briefing-admin {name}" in commands
    assert not {"download", "upload", "history", "restore"} & set(commands)


async def test_a_preview_left_alone_loses_its_buttons_when_they_expire(world: World) -> None:
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    await world.env.advance_time(NAVIGATION_TIMEOUT + 1)
    assert list(components(preview)) == []
    assert preview.embeds[0].title == f"Preview: {SEED}"  # the preview stays readable
    assert world.history() == []


async def test_buttons_that_outlived_a_restart_apply_nothing(
    world: World, settings: Settings
) -> None:
    before = world.seed.read_bytes()
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    old = world.bot
    await world.env.restart_bot(create_bot(settings))
    await old.store.close()
    clicked = await world.apply(preview)
    assert list(components(preview)) == []
    [note] = clicked.followups
    assert note.ephemeral
    assert note.content == (
        "This preview has expired, so nothing was changed. Upload the file again to apply it."
    )
    assert world.seed.read_bytes() == before
    assert world.env.errors == []


async def test_a_japanese_admin_gets_the_preview_in_japanese(
    world: World, interaction_locale: Callable[[str], None]
) -> None:
    interaction_locale("ja")
    preview = await world.upload(world.edited_seed((OLD_ANSWER, NEW_ANSWER)))
    assert preview.embeds[0].title == f"プレビュー: {SEED}"
    assert field(preview, "編集されたセクション(1)") == (
        "✏️ 1. 米露間の交渉の可能性 (`us-russia-talks`): answer"
    )
    assert component(preview, "editing:apply")["label"] == "適用"
    assert component(preview, "editing:cancel")["label"] == "キャンセル"
    await world.apply(preview)
    assert preview.embeds[0].title == f"適用しました: {SEED}"
