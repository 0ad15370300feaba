"""Scheduled digests: the service the bot starts, stops and asks to deliver what is due.

Placeholder interface, being implemented for the digests issue.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import BriefBot


class DigestService:
    """Delivers digests to subscribed channels at their due times."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    async def start(self) -> None:
        """Catch up on digests missed while down, then start the scheduler."""

    async def stop(self) -> None:
        """Finish in-flight sends and stop the scheduler."""

    async def deliver_due(self, now: dt.datetime) -> Any:
        """Deliver every digest due at `now`."""
        raise NotImplementedError
