"""A loopback Discord gateway that greets a bot, reads its IDENTIFY, and closes with a code.

That is what Discord does when it refuses a session: 4014 for privileged intents that
are not enabled, 4011 when the bot must shard, 4004 for a token it does not accept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator

from aiohttp import WSMsgType, web

HELLO = {"op": 10, "d": {"heartbeat_interval": 45_000}}
IDENTIFY = 2


class ClosingGateway:
    """Serves the gateway on 127.0.0.1 and closes every session with `close_code`."""

    def __init__(self, close_code: int) -> None:
        self.close_code = close_code
        self.identified = 0

    async def _session(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps(HELLO))
        async for message in socket:
            if message.type is WSMsgType.TEXT and json.loads(message.data).get("op") == IDENTIFY:
                self.identified += 1
                break
        await socket.close(code=self.close_code, message=b"closed by the loopback gateway")
        return socket

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[str]:
        """Serve from a thread with its own event loop; yields the gateway's ws:// URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        url: list[str] = []
        app = web.Application()
        app.router.add_get("/", self._session)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)

        async def start() -> None:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            server = site._server
            assert server is not None
            port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            url.append(f"ws://127.0.0.1:{port}/")

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        thread = threading.Thread(target=serve, name="closing-gateway", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("the loopback gateway did not start")
        try:
            yield url[0]
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
