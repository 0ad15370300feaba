"""Leadership on PostgreSQL: a session-level advisory lock on a connection of its own.

Not a pooled connection: the pool resets a connection it takes back (asyncpg runs
`pg_advisory_unlock_all()`), which would drop the lock. PostgreSQL releases the lock
when the leader's session ends, killed process or lost network alike, and a standby's
next `try_lead` takes it. The leader stops leading as soon as its connection closes
(asyncpg's termination listener) or a confirmation query fails.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.store.postgres.database import LEADER_LOCK, PostgresDatabase

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 5.0  # seconds a leader waits for the database to confirm it still leads


class AdvisoryLockLeadership:
    """Leads while its own session holds the deployment's leader lock."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database
        self._connection: Any = None
        self._leading = False

    @property
    def leading(self) -> bool:
        """Whether this process holds the lock on a connection that is still open."""
        return self._leading and self._connection is not None and not self._connection.is_closed()

    @property
    def confirm_while_leading(self) -> bool:
        """True: the session can be lost, so the leader keeps confirming it holds the lock."""
        return True

    async def try_lead(self) -> bool:
        """Take the lock if nobody holds it, or confirm this session still does."""
        try:
            if self._connection is None or self._connection.is_closed():
                self._leading = False
                self._connection = await self._db.connect()
                self._connection.add_termination_listener(self._lost)
            if self._leading:
                await self._connection.fetchval("SELECT 1", timeout=CONFIRM_TIMEOUT)
            else:
                self._leading = bool(
                    await self._connection.fetchval(
                        "SELECT pg_try_advisory_lock($1)", LEADER_LOCK, timeout=CONFIRM_TIMEOUT
                    )
                )
        except Exception:
            await self._drop()
            raise
        return self.leading

    async def step_down(self) -> None:
        """Release the lock and close the session, if open."""
        connection, self._connection = self._connection, None
        was_leading, self._leading = self._leading, False
        if connection is None or connection.is_closed():
            return
        try:
            if was_leading:
                await connection.execute("SELECT pg_advisory_unlock($1)", LEADER_LOCK)
        finally:
            await connection.close()

    def _lost(self, connection: Any) -> None:
        if connection is self._connection and self._leading:
            log.warning("the leader's database connection closed; no longer leading")
        if connection is self._connection:
            self._leading = False

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self._leading = False
        if connection is not None:
            connection.terminate()
