"""The start-up cache as the bot uses it: read before the first load, written after it.

`bot.briefings.warm_start` reads and writes the file; this decides when. The write runs
in the background, in a worker thread (and a forked child), so that a start-up that
parsed its briefings is ready as soon as they are loaded, not once they are written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from bot.briefings.reload import Catalog, FileState, ReloadReport
from bot.briefings.warm_start import cache_key, read_cached_files, write_cached_files_apart

log = logging.getLogger(__name__)


class StartupCache:
    """The start-up cache at `path` (None: no cache), for one start of the bot."""

    def __init__(self, path: Path | None, stale_after_days: int) -> None:
        self.path = path
        self._stale_after_days = stale_after_days
        self._cached: frozenset[Path] | None = None
        self._writing: asyncio.Task[None] | None = None

    async def previous_catalog(self) -> Catalog:
        """The catalog the last start-up left, to load from (empty when there is none)."""
        if self.path is None:
            return Catalog()
        files, reason = await asyncio.to_thread(self._read, self.path)
        log.info("%s", reason)
        if files is None:
            return Catalog()
        self._cached = frozenset(files)
        return Catalog(MappingProxyType(dict(files)))

    def keep(self, catalog: Catalog, report: ReloadReport) -> None:
        """Write the catalog for the next start-up, in the background, unless the cache
        already holds exactly it."""
        if self.path is None or self._writing is not None:
            return
        if not report.files_read and self._cached == frozenset(catalog.files):
            return
        self._writing = asyncio.create_task(self._write(self.path, catalog), name="startup-cache")

    async def finished(self) -> None:
        """Wait for a write still under way."""
        if self._writing is not None:
            await asyncio.wait({self._writing})

    def _read(self, path: Path) -> tuple[Mapping[Path, FileState] | None, str]:
        return read_cached_files(path, cache_key(self._stale_after_days))

    async def _write(self, path: Path, catalog: Catalog) -> None:
        key = cache_key(self._stale_after_days)  # worked out already, by the read
        try:
            await asyncio.to_thread(write_cached_files_apart, path, key, catalog.files)
        except OSError as exc:
            log.warning("could not write the start-up cache %s: %s", path, exc)
