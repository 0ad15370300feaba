"""Leadership on SQLite: an exclusive lock on a file beside the database.

A deployment on SQLite is one process, which leads at once. A second process started
on the same file by mistake waits as a standby instead of sending every digest again;
the operating system releases the lock when the leader exits or is killed.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class FileLockLeadership:
    """Leads while it holds `flock` on `<database>.leader`."""

    def __init__(self, database_path: Path) -> None:
        self.path = database_path.with_name(database_path.name + ".leader")
        self._fd: int | None = None

    @property
    def leading(self) -> bool:
        """Whether this process holds the lock."""
        return self._fd is not None

    @property
    def confirm_while_leading(self) -> bool:
        """An flock is held until this process lets go or exits: nothing to confirm."""
        return False

    async def try_lead(self) -> bool:
        """Take the lock if nobody holds it; True if this process leads."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def step_down(self) -> None:
        """Release the lock, if held."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
