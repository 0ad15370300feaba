"""Shared fixtures: settings on temporary folders, and a simcord world around the real bot."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import simcord
import simcord.interactions

from bot.config import Settings
from bot.discord.client import BriefBot, create_bot
from tests.support.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_BRIEFINGS = REPO_ROOT / "briefings"
SEED_BRIEFING = REAL_BRIEFINGS / "ukraine-ceasefire.yaml"


@pytest.fixture
def briefings_dir(tmp_path: Path) -> Path:
    """A private copy of the real briefings that a test may edit."""
    target = tmp_path / "briefings"
    target.mkdir()
    shutil.copy(SEED_BRIEFING, target / SEED_BRIEFING.name)
    return target


@pytest.fixture
def settings(tmp_path: Path, briefings_dir: Path) -> Settings:
    """Settings that point at temporary briefings and a temporary SQLite file."""
    return Settings(
        briefings_dir=briefings_dir,
        database_path=tmp_path / "data" / "briefbot.sqlite3",
        watch=False,
    )


@pytest.fixture
def simcord_bot(settings: Settings) -> BriefBot:
    """The real bot, built by the same factory as production."""
    return create_bot(settings)


@pytest_asyncio.fixture
async def simcord_env(
    simcord_bot: BriefBot, request: pytest.FixtureRequest
) -> AsyncIterator[simcord.Env]:
    """simcord's environment, also closing the bot's database at the end."""
    marker = request.node.get_closest_marker("simcord")
    # One shard: simcord cannot answer the recommended-shard-count request.
    env = simcord.Env(simcord_bot, **{"shard_count": 1, **(marker.kwargs if marker else {})})
    simcord_bot.external_wait = env.external_wait
    await env.start()
    try:
        yield env
    finally:
        await env.shutdown()
        await env.bot.digests.stop()
        await env.bot.store.close()
        if env.check_errors:
            env._raise_errors_since(env._errors_acknowledged)


USE_EXTERNAL_APPS = 1 << 50
_installs = {"user_only": False}


@pytest.fixture(autouse=True)
def integration_owners(monkeypatch: pytest.MonkeyPatch) -> None:
    """Say who installed the app, as Discord does (simcord leaves it empty): the guild,
    where the command is used in one, else the user. `external_apps_disabled` changes it."""
    original = simcord.interactions.base_payload

    def patched(*args: object, **kwargs: object) -> tuple[object, dict[str, object]]:
        record, payload = original(*args, **kwargs)
        guild_id, user_id = kwargs.get("guild_id"), kwargs.get("user_id")
        if guild_id is not None and not _installs["user_only"]:
            payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        else:
            payload["authorizing_integration_owners"] = {"1": str(user_id)}
        member = payload.get("member")
        if _installs["user_only"] and isinstance(member, dict):
            member["permissions"] = str(int(member["permissions"]) & ~USE_EXTERNAL_APPS)
        return record, payload

    monkeypatch.setattr(simcord.interactions, "base_payload", patched)
    _installs["user_only"] = False


@pytest.fixture
def external_apps_disabled() -> Iterator[None]:
    """Commands come from the member's own install of the app, in a server that does not
    let members use external apps (Discord then shows every reply to the member only)."""
    _installs["user_only"] = True
    yield
    _installs["user_only"] = False


@pytest.fixture
def interaction_locale(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the locale that simulated users' interactions carry (simcord fixes it at en-US)."""
    original = simcord.interactions.base_payload
    current = {"locale": "en-US"}

    def patched(*args: object, **kwargs: object) -> tuple[object, dict[str, object]]:
        record, payload = original(*args, **kwargs)
        payload["locale"] = current["locale"]
        if "guild_locale" in payload:
            payload["guild_locale"] = current["locale"]
        return record, payload

    monkeypatch.setattr(simcord.interactions, "base_payload", patched)

    def set_locale(locale: str) -> None:
        current["locale"] = locale

    return set_locale
