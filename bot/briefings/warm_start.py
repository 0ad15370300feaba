"""What the last start-up loaded, kept in a file so that the next one need not parse again.

Parsing YAML is most of a start-up: 1,000 briefings take about 1.9 s to parse and
validate, while their catalog, pickled file by file, reads back in about 0.2 s.
`write_cached_files` keeps the catalog's file states (each file's signature, outcome and
last good version) beside the database, from a forked child where the system has one
(`write_cached_files_apart`); `read_cached_files` gives them back to the next start-up,
whose `reload_catalog` then reads only the files whose signature changed, exactly as a
reload while running does. A broken edit made while the bot was down therefore keeps
serving the version before it, as it would have had the bot been running.

The file is only trusted when its key matches: the format, the Python and pydantic
versions, the stale-source allowance and the source of this package (a change to the
models or the checks means parsing again). Anything else (missing, damaged, written by
another version) reads as no cache, with the reason. The file is a pickle: it must live
where only the bot writes, as its database does.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pydantic

from bot.briefings.loader import cyclic_gc_paused
from bot.briefings.reload import FileState
from bot.briefings.sharing import SharedParts
from bot.briefings.validation import StaleSource

CACHE_FORMAT = 1
_ERROR_BYTES = 2000  # of a failed write's message, sent back from its process


@cache
def cache_key(stale_after_days: int) -> str:
    """What a cache must have been written under to be read back now (worked out once per
    process: the source it hashes is the source this process runs)."""
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, sys.version, pydantic.VERSION, stale_after_days):
        digest.update(f"{part}\n".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def read_cached_files(path: Path, key: str) -> tuple[Mapping[Path, FileState] | None, str]:
    """The file states cached at `path` under `key`, or None and why there are none."""
    try:
        with path.open("rb") as file, cyclic_gc_paused():
            written_key, count = pickle.load(file)
            if written_key != key:
                return None, f"start-up cache {path} was written by another version; ignoring it"
            shared = SharedParts()
            files: dict[Path, FileState] = {}
            for _ in range(count):
                state = pickle.load(file)
                if not isinstance(state, FileState):
                    raise TypeError(type(state).__name__)
                _share_as_loaded(state, shared)
                files[state.path] = state
    except FileNotFoundError:
        return None, "no start-up cache yet"
    except Exception as exc:  # a damaged or foreign file: parse the briefings instead
        return None, f"start-up cache {path} is unreadable ({type(exc).__name__}); ignoring it"
    return files, f"start-up cache {path}: {len(files)} file(s)"


def _share_as_loaded(state: FileState, shared: SharedParts) -> None:
    """Share what a load shares across files, which each file's own pickle cannot: the
    briefings' repeating parts, the problems' interned paths, stale-source dates."""
    if state.good is not None:
        shared.share(state.good)
    latest = state.result.briefing
    if latest is not None and latest is not state.good:
        shared.share(latest)
    for problem in state.result.problems:
        object.__setattr__(problem, "path", sys.intern(problem.path))
        if isinstance(problem.text, StaleSource):
            stale = problem.text
            stale.published, stale.updated = shared.day(stale.published), shared.day(stale.updated)


def write_cached_files(path: Path, key: str, files: Mapping[Path, FileState]) -> None:
    """Keep the file states at `path` for the next start-up (replaced whole, never half).

    Each file is pickled on its own, so the worker thread writing them never holds the
    interpreter for longer than one file takes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump((key, len(files)), file, protocol=pickle.HIGHEST_PROTOCOL)
            for state in files.values():
                pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_cached_files_apart(path: Path, key: str, files: Mapping[Path, FileState]) -> None:
    """`write_cached_files`, in a child process where the system can fork one.

    Pickling a string makes CPython keep its UTF-8 form inside it for good: written in
    the bot's own process, the cache of 10,000 briefings stayed as 65 MB more memory. A
    forked child writes from its copy of that memory, and exits.
    """
    if not hasattr(os, "fork"):
        write_cached_files(path, key, files)
        return
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, say what failed if anything did, and leave at once
        status = 0
        try:
            os.close(reader)
            write_cached_files(path, key, files)
        except BaseException as exc:
            os.write(writer, f"{type(exc).__name__}: {exc}".encode()[:_ERROR_BYTES])
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as failure:
        message = failure.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    if status:
        raise OSError(message or f"the process writing it ended with status {status}")
