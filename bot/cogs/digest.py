"""`/digest`: subscribe channels to scheduled digests (being implemented)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BriefBot


async def setup(bot: BriefBot) -> None:
    """Load the `/digest` commands."""
