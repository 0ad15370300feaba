"""A loopback Discord REST API, just enough for a bot to log in, post and reach channels.

discord.py's real HTTP client talks to it once `discord.http.Route.BASE` points here.
It behaves like Discord where delivery cares:

* `POST /channels/{id}/messages` creates a message; with `enforce_nonce` a nonce seen
  within `nonce_ttl` seconds returns the message it created instead of a new one (a
  message created with a nonce used before counts in `duplicates`);
* a global limit of `global_limit` requests per sliding `window` seconds; beyond it the
  answer is 429 with Discord's headers (`X-RateLimit-Global`, `X-RateLimit-Scope`,
  `Retry-After`, `Via: 1.1 google`) and body `{"message", "retry_after", "global"}`.
  Interaction responses and followups (`/interactions/...`, `/webhooks/{id}/{token}...`)
  are outside it, as on Discord;
* faults on demand: an error status and code, or a message that is created but whose
  answer never arrives (the connection drops), as when a process dies mid-request;
* channels of every type, forum posts, threads, crossposts (10 per channel per hour),
  DM channels and closed DMs: see `benchmarks.loopback_channels`;
* `GET /users/@me`, `GET /oauth2/applications/@me`, `GET /gateway/bot` and
  `PUT .../commands` for login.

Run it in a thread (`LoopbackDiscord.in_thread()`, for tests) or as its own process
(`python -m benchmarks.loopback_discord --limit 50`, for the benchmark, so the bot's CPU
time is measured alone). `GET /_loopback/stats` reports what happened as JSON, and
`POST /_loopback/configure` (`configure()`) registers channels and closed DMs in a
server running as a process. The Authorization header is never recorded or logged.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import fnmatch
import gc
import itertools
import math
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.loopback_channels import (
    APPLICATION_ID,
    BOT_USER,
    DROP,
    ChannelRoutes,
    created,
    error_response,
    message_object,
)
from benchmarks.loopback_channels import json_response as _json
from benchmarks.loopback_stats import Stats

API_PREFIX = "/api/v10"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Discord's interaction endpoints, which its global limit does not cover.
EXEMPT = re.compile(rf"^{API_PREFIX}/(interactions/|webhooks/[^/]+/[^/]+)")


@dataclass
class Fault:
    """A scripted failure for requests matching `method` and `path` (fnmatch)."""

    method: str
    path: str
    status: int = 500
    code: int = 0
    message: str = "Internal Server Error (loopback)"
    times: int | None = 1  # None: forever
    drop: bool = False  # create the message, then drop the connection without answering


class LoopbackDiscord(ChannelRoutes):
    """The loopback server: state, handlers, and ways to run it."""

    def __init__(
        self,
        *,
        global_limit: int = 50,
        window: float = 1.0,
        nonce_ttl: float = 300.0,
        latency: float = 0.0,
    ) -> None:
        self.global_limit = global_limit
        self.window = window
        self.nonce_ttl = nonce_ttl
        self.latency = latency
        self.stats = Stats()
        self.messages: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
        self.faults: list[Fault] = []
        self._accepted: collections.deque[float] = collections.deque()
        self._nonces: dict[str, tuple[float, dict[str, Any]]] = {}
        self._used_nonces: set[str] = set()
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self._lock = threading.Lock()
        self._init_channels()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- Scripting -----------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Fail matching requests as scripted (thread-safe)."""
        with self._lock:
            self.faults.append(fault)

    def reset(self) -> None:
        """Forget messages, nonces, channels, faults and stats (thread-safe)."""
        with self._lock:
            self.stats = Stats()
            self.messages.clear()
            self.faults.clear()
            self._accepted.clear()
            self._nonces.clear()
            self._used_nonces.clear()
            self._reset_channels()

    def configure(self, data: dict[str, Any]) -> None:
        """Register channels (`{"channels": {id: partial object}}`) and `closed_dms` ids."""
        with self._lock:
            for channel_id, entry in (data.get("channels") or {}).items():
                self.channels[int(channel_id)] = dict(entry)
            self.closed_dms.update(int(user_id) for user_id in data.get("closed_dms") or ())

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method in (method, "*") and fnmatch.fnmatchcase(path, fault.path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    self.stats.faults += 1
                    return fault
        return None

    # --- The global rate limit -------------------------------------------------------------

    def _admit(self, now: float) -> float | None:
        """Count a request; None if it is within the limit, else seconds to wait."""
        with self._lock:
            self.stats.requests += 1
            if self.stats.first_request is None:
                self.stats.first_request = now
            accepted = self._accepted
            while accepted and accepted[0] <= now - self.window:
                accepted.popleft()
            if len(accepted) >= self.global_limit:
                self.stats.rate_limited += 1
                self.stats.rate_limited_at.append(round(now - self.stats.first_request, 4))
                return max(accepted[0] + self.window - now, 0.001)
            accepted.append(now)
            self.stats.admitted_at.append(round(now - self.stats.first_request, 4))
            self.stats.max_in_window = max(self.stats.max_in_window, len(accepted))
            return None

    @staticmethod
    def _rate_limited(retry_after: float) -> web.Response:
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": True,
        }
        return _json(
            body,
            status=429,
            headers={
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Retry-After": str(math.ceil(retry_after)),
                "Via": "1.1 google",
            },
        )

    # --- Handlers ------------------------------------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_loopback/"):
            return await handler(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        if EXEMPT.match(request.path) is None:
            retry_after = self._admit(time.monotonic())
            if retry_after is not None:
                return self._rate_limited(retry_after)
        path = request.path.removeprefix(API_PREFIX)
        fault = self._take_fault(request.method, path)
        if fault is not None and not fault.drop:
            return error_response(fault.status, fault.code, fault.message)
        request[DROP] = fault is not None and fault.drop
        return await handler(request)

    async def _me(self, request: web.Request) -> web.Response:
        return _json(BOT_USER)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(APPLICATION_ID),
                "name": "briefbot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": BOT_USER,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _bot_gateway(self, request: web.Request) -> web.Response:
        # What an AutoShardedClient asks before connecting: one shard, sessions to spare.
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": "wss://gateway.invalid", "shards": 1, "session_start_limit": limits})

    async def _commands(self, request: web.Request) -> web.Response:
        body = await request.json()
        return _json(
            [
                {
                    **command,
                    "id": str(next(self._ids)),
                    "application_id": str(APPLICATION_ID),
                    "version": "1",
                    "default_member_permissions": command.get("default_member_permissions"),
                }
                for command in body
            ]
        )

    def _record_message(self, channel_id: int, message: dict[str, Any], now: float) -> None:
        """Keep a created message and count it; call under the lock."""
        self.messages[channel_id].append(message)
        nonce = message.get("nonce")
        stats = self.stats
        if nonce is not None:
            self._nonces[str(nonce)] = (now, message)
            stats.duplicates += str(nonce) in self._used_nonces
            self._used_nonces.add(str(nonce))
        self.note_message(channel_id, message)
        stats.created += 1
        stats.per_channel[channel_id] += 1
        stats.first_create = now if stats.first_create is None else stats.first_create
        stats.last_create = now

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        channel_id = int(request.match_info["channel_id"])
        body = await request.json()
        nonce = body.get("nonce")
        enforce = bool(body.get("enforce_nonce"))
        now = time.monotonic()
        with self._lock:
            refusal = self.refuse_message(channel_id)
            if refusal is not None:
                return refusal
            if enforce and nonce is not None:
                seen = self._nonces.get(str(nonce))
                if seen is not None and now - seen[0] <= self.nonce_ttl:
                    self.stats.deduplicated += 1
                    return _json(seen[1])
            message = message_object(next(self._ids), channel_id, {**body, "flags": 0})
            self._record_message(channel_id, message, now)
        return created(request, message)

    async def _not_found(self, request: web.Request) -> web.Response:
        return error_response(404, 0, "404: Not Found")

    async def _stats(self, request: web.Request) -> web.Response:
        with self._lock:
            return _json(self.stats.as_dict())

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return _json({})

    async def _configure(self, request: web.Request) -> web.Response:
        self.configure(await request.json())
        return _json({})

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(middlewares=[self._gate], client_max_size=8 * 1024 * 1024)
        prefix = API_PREFIX
        app.router.add_get(f"{prefix}/users/@me", self._me)
        app.router.add_get(f"{prefix}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{prefix}/gateway/bot", self._bot_gateway)
        app.router.add_put(f"{prefix}/applications/{{app_id}}/commands", self._commands)
        app.router.add_put(
            f"{prefix}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self._commands
        )
        app.router.add_post(f"{prefix}/channels/{{channel_id}}/messages", self._create_message)
        self.add_channel_routes(app.router, prefix)
        app.router.add_get("/_loopback/stats", self._stats)
        app.router.add_post("/_loopback/reset", self._reset)
        app.router.add_post("/_loopback/configure", self._configure)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    # --- Running -----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on the running loop; returns the API base URL for `Route.BASE`."""
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1]
        self.url = f"http://{host}:{bound}{API_PREFIX}"
        return self.url

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[str]:
        """Serve from a thread with its own event loop; yields the API base URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        thread = threading.Thread(target=serve, name="loopback-discord", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("the loopback server did not start")
        try:
            yield self.url
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)


@contextlib.asynccontextmanager
async def serve_in_process(limit: int) -> AsyncIterator[str]:
    """Run the loopback Discord in its own process; yields its API base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.loopback_discord",
        "--limit",
        str(limit),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the loopback server did not start: {line!r}")
        yield line.removeprefix("READY ")
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()


async def fetch_stats(url: str) -> dict[str, Any]:
    """What the loopback server saw."""
    base = url.split("/api/", 1)[0]
    async with aiohttp.ClientSession() as session, session.get(f"{base}/_loopback/stats") as r:
        stats: dict[str, Any] = await r.json()
        return stats


async def configure(
    url: str,
    *,
    channels: dict[int, dict[str, Any]] | None = None,
    closed_dms: tuple[int, ...] | list[int] = (),
) -> None:
    """Register channels and closed DMs in a loopback Discord (in a thread or a process)."""
    base = url.split("/api/", 1)[0]
    body = {"channels": {str(k): v for k, v in (channels or {}).items()}, "closed_dms": closed_dms}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}/_loopback/configure", json=body) as response,
    ):
        response.raise_for_status()


async def _serve_forever(server: LoopbackDiscord, port: int) -> None:
    url = await server.start(port=port)
    print(f"READY {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        import signal

        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    await server.close()


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM; prints `READY <url>` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--limit", type=int, default=50, help="global requests per window")
    parser.add_argument("--window", type=float, default=1.0, help="seconds")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = parser.parse_args(argv)
    server = LoopbackDiscord(global_limit=args.limit, window=args.window, latency=args.latency)
    # The server keeps every message it creates, so its heap grows by the thousand and the
    # cyclic collector pauses it now and then; requests that queued meanwhile would then
    # be counted as arriving together. Messages hold no cycles: reference counting frees
    # what is dropped.
    gc.disable()
    asyncio.run(_serve_forever(server, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
