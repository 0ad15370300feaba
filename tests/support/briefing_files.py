"""Small briefing files written for a test, visible to a reload's signature check."""

from __future__ import annotations

import os
from pathlib import Path

SMALL = """\
title: {title}
summary: A short summary.
language: en
updated: 2026-11-01
sections:
  - id: first
    heading: First
    answer: {answer}
    published: 2026-11-01
"""


def write(path: Path, text: str) -> None:
    """Write `text` to `path` and move its mtime on, so that even a write within one
    file-system clock tick changes its signature."""
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
