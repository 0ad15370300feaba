"""Digest sends, at most so many at once, by that many tasks working through a queue.

A run hands over its claimed digests batch by batch. Starting a task per digest cost
the event loop about 8 µs each (a task, and a first step that only waits for a free
slot) while the next batch was still being composed; a tick with 10,000 due held
10,000 tasks. The pool keeps one queue per run and at most `limit` workers, each
sending one digest after another, in the order they were handed over.

Each job comes with what to do if it never runs: a scheduled send holds its
subscription's lock from composing until its row is settled, and a send cancelled
before it started must still let the lock go.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

Job = tuple[Coroutine[Any, Any, None], Callable[[], None]]  # the send, and what undoes it


class SendPool:
    """A queue of sends and the workers taking them, `limit` at most."""

    def __init__(self, limit: int, on_error: Callable[[BaseException], None]) -> None:
        if limit < 1:
            raise ValueError("a send pool needs one worker at least")
        self._limit = limit
        self._on_error = on_error
        self._waiting: deque[Job] = deque()
        self.workers: set[asyncio.Task[None]] = set()

    def add(self, jobs: Iterable[Job]) -> None:
        """Queue sends, starting workers for them up to the limit."""
        self._waiting.extend(jobs)
        while self._waiting and len(self.workers) < self._limit:
            worker = asyncio.create_task(self._work())
            self.workers.add(worker)
            worker.add_done_callback(self.workers.discard)

    async def finish(self) -> None:
        """Wait until every queued send has run (or been dropped by `cancel`)."""
        try:
            while self.workers:
                await asyncio.wait(set(self.workers))
        except asyncio.CancelledError:
            self.cancel()  # whoever waited is stopping: so are its sends
            raise

    def cancel(self) -> None:
        """Stop: sends under way are cancelled, and those still queued never start."""
        self._drop_waiting()
        for worker in self.workers:
            worker.cancel()

    async def _work(self) -> None:
        while self._waiting:
            send, _ = self._waiting.popleft()
            try:
                await send
            except asyncio.CancelledError:
                self._drop_waiting()
                raise
            except Exception as error:
                self._on_error(error)

    def _drop_waiting(self) -> None:
        while self._waiting:
            send, undo = self._waiting.popleft()
            send.close()  # never started, so none of it ran
            undo()
