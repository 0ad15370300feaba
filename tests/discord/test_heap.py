"""Freed heap memory goes back to the operating system after a large piece of work."""

from __future__ import annotations

import os
from pathlib import Path

from bot.discord.heap import return_freed_memory

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    """This process's resident set, from /proc."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


def test_the_heap_s_free_pages_leave_the_resident_set() -> None:
    # 1 KB blocks come from malloc (not Python's small-object allocator). Keeping every
    # 500th alive pins the heap, so glibc cannot give the freed memory back on its own.
    blocks = [bytes(1024) for _ in range(100_000)]
    kept = blocks[::500]
    del blocks
    before = resident_bytes()

    assert return_freed_memory() is True

    after = resident_bytes()
    assert len(kept) == 200
    assert before - after > 50 * 2**20, (before, after)
