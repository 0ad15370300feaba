"""Earlier versions of briefing files, kept on disk, and replacing a file in one step.

When an edit from Discord replaces `briefings/<topic>.yaml`, the file it replaces is kept
as `briefings/.history/<topic>/<number>-<UTC time>.yaml`: numbered from 1 per topic, the
newest `HISTORY_LIMIT` kept. The loader reads only the `*.yaml` files directly inside the
briefings folder (hidden ones skipped) and the file watcher does not look into
subfolders, so neither ever sees the history or the temporary files written here.
Nothing here imports discord.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.briefings.models import SLUG_PATTERN

HISTORY_FOLDER = ".history"
HISTORY_LIMIT = 20
NEW_FILE_MODE = 0o644
_TOPIC = re.compile(SLUG_PATTERN)
_VERSION_NAME = re.compile(r"^(?P<number>[0-9]{1,9})-(?P<stamp>[0-9]{8}T[0-9]{6}Z)\.yaml$")
_STAMP = "%Y%m%dT%H%M%SZ"
# A replacement's modification time is at least this much later than the old file's, so a
# reload that compares (mtime, size) sees it even on a file system with a coarse clock.
_MTIME_STEP_NS = 1_000_000_000


def content_hash(data: bytes | None) -> str | None:
    """The SHA-256 hex digest of a file's bytes; None stands for "there is no file"."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_bytes(path: Path) -> bytes | None:
    """A file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def check_topic(topic: str) -> str:
    """The topic id itself if it can name a file in the briefings folder; ValueError if not."""
    if len(topic) > 64 or _TOPIC.fullmatch(topic) is None:
        raise ValueError(f"not a topic id: {topic!r}")
    return topic


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - some file systems refuse it
        pass
    finally:
        os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: a temporary file in the same folder, renamed.

    Readers see the old file or the new one, never a part of either. The new file keeps
    the old one's permissions (a new file gets 0644), and its modification time is later
    than the old one's. The temporary file is hidden and does not end in `.yaml`, so
    neither the loader nor the watcher takes it for a briefing; it is removed on failure.
    """
    try:
        previous: os.stat_result | None = path.stat()
    except FileNotFoundError:
        previous = None
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, previous.st_mode & 0o7777 if previous else NEW_FILE_MODE)
        if previous is not None:
            written = os.stat(temporary)
            if written.st_mtime_ns < previous.st_mtime_ns + _MTIME_STEP_NS:
                later = max(written.st_mtime_ns, previous.st_mtime_ns + _MTIME_STEP_NS)
                os.utime(temporary, ns=(written.st_atime_ns, later))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent)


@dataclass(frozen=True)
class Version:
    """One kept version of a topic's file: its number, when it was replaced, and where it is."""

    topic: str
    number: int
    saved_at: dt.datetime
    path: Path
    size: int

    def read(self) -> bytes:
        """The version's bytes, exactly as the file held them."""
        return self.path.read_bytes()


class VersionNotFound(LookupError):
    """No kept version of the topic has this number."""

    def __init__(self, topic: str, number: int) -> None:
        super().__init__(f"{topic} has no version {number}")
        self.topic = topic
        self.number = number


class History:
    """The kept versions of every topic in one briefings folder, newest `keep` per topic."""

    def __init__(self, briefings_dir: Path, *, keep: int = HISTORY_LIMIT) -> None:
        if keep < 1:
            raise ValueError("keep at least one version")
        self.root = briefings_dir / HISTORY_FOLDER
        self.keep = keep

    def folder(self, topic: str) -> Path:
        """Where a topic's versions are kept."""
        return self.root / check_topic(topic)

    def versions(self, topic: str) -> list[Version]:
        """The topic's kept versions, newest first; files not named like a version are ignored."""
        folder = self.folder(topic)
        found: list[Version] = []
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        for entry in entries:
            match = _VERSION_NAME.fullmatch(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            saved_at = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.UTC)
            size = entry.stat(follow_symlinks=False).st_size
            found.append(Version(topic, int(match["number"]), saved_at, Path(entry.path), size))
        return sorted(found, key=lambda version: version.number, reverse=True)

    def get(self, topic: str, number: int) -> Version:
        """The kept version with this number; `VersionNotFound` if there is none."""
        for version in self.versions(topic):
            if version.number == number:
                return version
        raise VersionNotFound(topic, number)

    def save(self, topic: str, data: bytes, saved_at: dt.datetime) -> Version:
        """Keep `data` as the topic's newest version, then forget all but the newest `keep`.

        Numbers only grow: the newest version is never the one forgotten, so its number
        is never given out again.
        """
        folder = self.folder(topic)
        folder.mkdir(parents=True, exist_ok=True)
        existing = self.versions(topic)
        number = existing[0].number + 1 if existing else 1
        stamp = saved_at.astimezone(dt.UTC).strftime(_STAMP)
        path = folder / f"{number}-{stamp}.yaml"
        write_atomically(path, data)
        version = Version(
            topic, number, saved_at.astimezone(dt.UTC).replace(microsecond=0), path, len(data)
        )
        for old in [version, *existing][self.keep :]:
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()
        return version
