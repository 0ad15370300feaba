"""Watch the briefings folder and reload when YAML files change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from watchfiles import Change, DefaultFilter, awatch

log = logging.getLogger(__name__)

DEBOUNCE_MS = 500
ExternalWait = Callable[..., Awaitable[Any]]


class YamlFilter(DefaultFilter):
    """Only briefing files: `*.yaml`, ignoring editors' temporary files."""

    def __call__(self, change: Change, path: str) -> bool:
        """Whether this change concerns a briefing file."""
        return path.endswith(".yaml") and super().__call__(change, path)


async def watch_briefings(
    directory: Path,
    on_change: Callable[[], Awaitable[object]],
    *,
    stop: asyncio.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    external_wait: ExternalWait | None = None,
) -> None:
    """Call `on_change` after each debounced burst of changes, until `stop` is set.

    `external_wait`, when given, wraps every wait for the file system; tests pass
    simcord's `env.external_wait` so the simulated Discord knows the bot is idle.
    """
    changes = awatch(
        directory,
        watch_filter=YamlFilter(),
        debounce=debounce_ms,
        stop_event=stop,
        recursive=False,
    ).__aiter__()
    while True:
        waiting = changes.__anext__()
        try:
            if external_wait is not None:
                batch = await external_wait(waiting, reason="watching the briefings folder")
            else:
                batch = await waiting
        except StopAsyncIteration:
            return
        log.info("briefing files changed: %s", ", ".join(sorted(Path(p).name for _, p in batch)))
        try:
            await on_change()
        except Exception:
            log.exception("reload after a file change failed")
