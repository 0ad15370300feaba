"""The loopback Discord's channels: types, threads, forum posts, crossposts, DMs, replies.

`LoopbackDiscord` (benchmarks.loopback_discord) mixes `ChannelRoutes` in. Channels
are text channels (type 0) unless a test says otherwise in `server.channels`, a
registry of partial channel objects that the server completes with Discord's defaults:

    server.channels[5] = {"type": ANNOUNCEMENT}
    server.channels[6] = {"type": FORUM, "flags": REQUIRE_TAG,
                          "available_tags": [{"id": "61", "name": "news"}]}
    server.channels[7] = {"type": PUBLIC_THREAD, "parent_id": 1,
                          "thread_metadata": {"archived": True, "locked": False}}
    server.closed_dms.add(user_id)   # messages to their DM channel answer 403, 50007

Threads the server creates (forum and media posts, threads from a message or without
one) join the registry, so messages posted to a thread's id are counted as that
thread's. Discord's rules where a bot meets them: a forum or media channel takes no
messages of its own (400, 50008) and, with REQUIRE_TAG, no post without a tag (400,
40067); a message to an archived thread unarchives it unless it is locked (400,
50083); at most `crosspost_limit` crossposts per channel per `crosspost_window`
seconds (a 429 for that route, not global); a message starts one thread at most
(400, 160004). Creating a forum post is not idempotent (Discord takes no nonce for
it): a nonce given in its message is recorded only to count duplicates. Interaction
responses and followups are answered here too, outside the global limit.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from benchmarks.loopback_stats import Stats

APPLICATION_ID = 4_200_000_000_000_001
GUILD_ID = 4_200_000_000_000_100  # the guild of every channel not told otherwise
BOT_USER = {
    "id": str(APPLICATION_ID),
    "username": "briefbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
TEXT, DM, ANNOUNCEMENT = 0, 1, 5
ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD, FORUM, MEDIA = 10, 11, 12, 15, 16
THREADS = {ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD}
POSTS_ONLY = {FORUM, MEDIA}
REQUIRE_TAG = 1 << 4  # channel flag of forum and media channels
CROSSPOSTED = 1 << 0  # message flag
CROSSPOSTS_PER_HOUR = 10


DROP = web.RequestKey("drop", bool)  # a fault's drop: do the work, never answer


def created(request: web.Request, data: Any) -> web.Response:
    """The answer to a request that created something, unless a fault drops it."""
    if request.get(DROP):
        if request.transport is not None:
            request.transport.close()  # it exists, but its sender never hears back
        return web.Response(status=204)
    return json_response(data)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer typed exactly `application/json`, as discord.py expects."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def error_response(status: int, code: int, message: str) -> web.Response:
    """Discord's error body: `{"message", "code"}`."""
    return json_response({"message": message, "code": code}, status=status)


def timestamp() -> str:
    """Now, as Discord writes times."""
    return dt.datetime.now(dt.UTC).isoformat()


def message_object(message_id: int, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """A message as Discord returns it, from a create-message body."""
    return {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": BOT_USER,
        "content": body.get("content") or "",
        "timestamp": timestamp(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "pinned": False,
        "type": 0,
        "flags": int(body.get("flags") or 0),
        "components": [],
        "nonce": body.get("nonce"),
        "allowed_mentions": body.get("allowed_mentions"),
    }


def _ids_as_strings(values: Any) -> list[str]:
    return [str(value) for value in values or ()]


def complete_channel(channel_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    """A partial channel object with Discord's defaults filled in (ids as strings)."""
    kind = int(entry.get("type", TEXT))
    if kind == DM:
        channel: dict[str, Any] = {"id": str(channel_id), "type": DM, "last_message_id": None}
        channel.update({"flags": 0, "recipients": []})
        channel.update(entry)
        return channel
    now = timestamp()
    channel = {
        "id": str(channel_id),
        "type": kind,
        "guild_id": str(GUILD_ID),
        "name": f"channel-{channel_id}",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "flags": 0,
        "rate_limit_per_user": 0,
        "last_message_id": None,
    }
    if kind in THREADS:
        channel.update(
            owner_id=str(APPLICATION_ID),
            message_count=0,
            total_message_sent=0,
            member_count=1,
            applied_tags=[],
        )
        metadata = {
            "archived": False,
            "locked": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now,
            "create_timestamp": now,
        }
        channel["thread_metadata"] = {**metadata, **entry.get("thread_metadata", {})}
    else:
        channel.update(topic=None, default_auto_archive_duration=1440)
    if kind in POSTS_ONLY:
        channel.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_thread_rate_limit_per_user=0,
            default_sort_order=None,
            default_forum_layout=0,
        )
    channel.update({k: v for k, v in entry.items() if k != "thread_metadata"})
    for key in ("guild_id", "parent_id", "owner_id"):
        if channel.get(key) is not None:
            channel[key] = str(channel[key])
    channel["applied_tags"] = _ids_as_strings(channel.get("applied_tags"))
    if kind not in THREADS:
        del channel["applied_tags"]
    tags = channel.get("available_tags")
    if tags is not None:
        channel["available_tags"] = [
            {"moderated": False, "emoji_id": None, "emoji_name": None, **t, "id": str(t["id"])}
            for t in tags
        ]
    return channel


def _rate_limited(retry_after: float) -> web.Response:
    """A 429 for one route (not global), with Discord's headers."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    headers = {
        "X-RateLimit-Scope": "user",
        "Retry-After": str(math.ceil(retry_after)),
        "Via": "1.1 google",
    }
    return json_response(body, status=429, headers=headers)


class ChannelRoutes:
    """Channel objects, threads, crossposts, DM channels and interaction replies."""

    # Provided by LoopbackDiscord.
    _lock: threading.Lock
    _ids: Iterator[int]
    stats: Stats
    messages: dict[int, list[dict[str, Any]]]

    def _record_message(self, channel_id: int, message: dict[str, Any], now: float) -> None:
        raise NotImplementedError

    def _init_channels(self) -> None:
        self.channels: dict[int, dict[str, Any]] = {}
        self.closed_dms: set[int] = set()
        self.crosspost_limit = CROSSPOSTS_PER_HOUR
        self.crosspost_window = 3600.0
        self._dm_channels: dict[int, int] = {}  # recipient -> DM channel id
        self._crossposts: dict[int, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._by_id: dict[int, dict[str, Any]] = {}  # every message, by id
        self._complete: dict[int, dict[str, Any]] = {}  # registry entries already completed

    def _reset_channels(self) -> None:
        self.channels.clear()
        self._complete.clear()
        self.closed_dms.clear()
        self._dm_channels.clear()
        self._crossposts.clear()
        self._by_id.clear()

    def channel(self, channel_id: int) -> dict[str, Any]:
        """The channel's full object (a text channel unless registered); call under the lock.

        The completed object replaces the registry's entry, so later changes stay.
        """
        entry = self.channels.get(channel_id)
        if entry is not None and self._complete.get(channel_id) is entry:
            return entry
        channel = complete_channel(channel_id, entry or {})
        self.channels[channel_id] = self._complete[channel_id] = channel
        return channel

    def refuse_message(self, channel_id: int) -> web.Response | None:
        """Why Discord would refuse a message there, or None; call under the lock."""
        if channel_id not in self.channels:
            return None  # a plain text channel
        channel = self.channel(channel_id)
        kind = channel["type"]
        if kind == DM:
            recipients = {int(user["id"]) for user in channel["recipients"]}
            if recipients & self.closed_dms:
                return error_response(403, 50007, "Cannot send messages to this user")
        if kind in POSTS_ONLY:
            return error_response(400, 50008, "Cannot send messages in a non-text channel")
        if kind in THREADS:
            metadata = channel["thread_metadata"]
            if metadata["archived"] and metadata["locked"]:
                return error_response(
                    400, 50083, "Operation cannot be performed on an archived thread"
                )
            if metadata["archived"]:  # posting unarchives an unlocked thread
                metadata.update(archived=False, archive_timestamp=timestamp())
        return None

    def note_message(self, channel_id: int, message: dict[str, Any]) -> None:
        """Index a created message and count it in its channel; call under the lock."""
        self._by_id[int(message["id"])] = message
        if channel_id not in self.channels:
            return  # a plain text channel: nothing more to keep
        channel = self.channel(channel_id)
        channel["last_message_id"] = message["id"]
        if channel["type"] in THREADS:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1

    # --- Channels --------------------------------------------------------------------------

    async def _get_channel(self, request: web.Request) -> web.Response:
        with self._lock:
            return json_response(self.channel(int(request.match_info["channel_id"])))

    async def _edit_channel(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            channel = self.channel(int(request.match_info["channel_id"]))
            if channel["type"] in THREADS:
                metadata = channel["thread_metadata"]
                if "archived" in body:
                    metadata["archive_timestamp"] = timestamp()
                for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                    if key in body:
                        metadata[key] = body.pop(key)
            for key, value in body.items():
                channel[key] = _ids_as_strings(value) if key == "applied_tags" else value
            return json_response(channel)

    # --- Threads ---------------------------------------------------------------------------

    def _new_thread(
        self, thread_id: int, parent: dict[str, Any], kind: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        entry = {
            "type": kind,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "name": body.get("name"),
            "applied_tags": body.get("applied_tags") or [],
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "thread_metadata": {"auto_archive_duration": body.get("auto_archive_duration", 1440)},
        }
        if kind == PRIVATE_THREAD:
            entry["thread_metadata"]["invitable"] = bool(body.get("invitable", True))
        self.channels[thread_id] = entry
        thread = self.channel(thread_id)
        self.stats.threads.append(
            {
                "id": thread["id"],
                "name": thread["name"],
                "type": kind,
                "parent_id": thread["parent_id"],
                "applied_tags": thread["applied_tags"],
            }
        )
        return thread

    async def _create_thread(self, request: web.Request) -> web.Response:
        """`POST /channels/{id}/threads`: a forum or media post, or a thread without a message."""
        body = await request.json()
        now = time.monotonic()
        with self._lock:
            parent = self.channel(int(request.match_info["channel_id"]))
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                return error_response(400, 50035, "Invalid Form Body (name)")
            if parent["type"] not in POSTS_ONLY:
                if "message" in body or parent["type"] not in (TEXT, ANNOUNCEMENT):
                    return error_response(400, 50024, "Cannot execute action on this channel type")
                kind = int(body.get("type") or PRIVATE_THREAD)
                return created(request, self._new_thread(next(self._ids), parent, kind, body))
            message = body.get("message")
            if not isinstance(message, dict):
                return error_response(400, 50035, "Invalid Form Body (message)")
            if not (message.get("content") or message.get("embeds")):
                return error_response(400, 50006, "Cannot send an empty message")
            tags = _ids_as_strings(body.get("applied_tags"))
            known = {tag["id"] for tag in parent["available_tags"]}
            if not tags and parent["flags"] & REQUIRE_TAG:
                return error_response(
                    400, 40067, "A tag is required to create a forum post in this channel"
                )
            if not set(tags) <= known:
                return error_response(400, 50035, "Invalid Form Body (applied_tags)")
            thread_id = next(self._ids)  # the post's first message has the thread's id
            thread = self._new_thread(thread_id, parent, PUBLIC_THREAD, body)
            first = message_object(thread_id, thread_id, message)
            self._record_message(thread_id, first, now)
            return created(request, {**thread, "message": first})

    async def _thread_from_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel_id = int(request.match_info["channel_id"])
        message_id = int(request.match_info["message_id"])
        with self._lock:
            parent = self.channel(channel_id)
            message = self._by_id.get(message_id)
            if message is None or int(message["channel_id"]) != channel_id:
                return error_response(404, 10008, "Unknown Message")
            if message_id in self.channels:
                return error_response(
                    400, 160004, "A thread has already been created for this message"
                )
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                return error_response(400, 50035, "Invalid Form Body (name)")
            kind = ANNOUNCEMENT_THREAD if parent["type"] == ANNOUNCEMENT else PUBLIC_THREAD
            return created(request, self._new_thread(message_id, parent, kind, body))

    def _threads(self, keep: Any) -> list[dict[str, Any]]:
        return [
            channel
            for channel_id in list(self.channels)
            if (channel := self.channel(channel_id))["type"] in THREADS and keep(channel)
        ]

    async def _archived_public_threads(self, request: web.Request) -> web.Response:
        parent_id = request.match_info["channel_id"]
        limit = int(request.query.get("limit", 50))
        before = request.query.get("before")
        with self._lock:
            found = self._threads(
                lambda t: (
                    t["parent_id"] == parent_id
                    and t["type"] != PRIVATE_THREAD
                    and t["thread_metadata"]["archived"]
                    and (before is None or t["thread_metadata"]["archive_timestamp"] < before)
                )
            )
        found.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        page = {"threads": found[:limit], "members": [], "has_more": len(found) > limit}
        return json_response(page)

    async def _active_threads(self, request: web.Request) -> web.Response:
        guild_id = request.match_info["guild_id"]
        with self._lock:
            found = self._threads(
                lambda t: t["guild_id"] == guild_id and not t["thread_metadata"]["archived"]
            )
        return json_response({"threads": found, "members": []})

    # --- Crossposts --------------------------------------------------------------------------

    async def _crosspost(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        message_id = int(request.match_info["message_id"])
        now = time.monotonic()
        with self._lock:
            if self.channel(channel_id)["type"] != ANNOUNCEMENT:
                return error_response(400, 50024, "Cannot execute action on this channel type")
            message = self._by_id.get(message_id)
            if message is None or int(message["channel_id"]) != channel_id:
                return error_response(404, 10008, "Unknown Message")
            if message["flags"] & CROSSPOSTED:
                return error_response(400, 40033, "This message has already been crossposted")
            recent = self._crossposts[channel_id]
            while recent and recent[0] <= now - self.crosspost_window:
                recent.popleft()
            if len(recent) >= self.crosspost_limit:
                self.stats.route_limited += 1
                return _rate_limited(max(recent[0] + self.crosspost_window - now, 0.001))
            recent.append(now)
            message["flags"] |= CROSSPOSTED
            self.stats.crossposts[channel_id] += 1
            return json_response(message)

    # --- Direct messages -----------------------------------------------------------------------

    async def _dm_channel(self, request: web.Request) -> web.Response:
        recipient = int((await request.json())["recipient_id"])
        with self._lock:
            channel_id = self._dm_channels.get(recipient)
            if channel_id is None:
                channel_id = self._dm_channels[recipient] = next(self._ids)
                user = {"id": str(recipient), "username": f"user{recipient}"}
                user.update({"discriminator": "0", "global_name": None, "avatar": None})
                self.channels[channel_id] = {"type": DM, "recipients": [user]}
            return json_response(self.channel(channel_id))

    # --- Interaction responses and followups (outside the global limit) -------------------------

    async def _interaction_callback(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        data = body.get("data") or {}
        with self._lock:
            self.stats.interaction_responses += 1
            message = message_object(next(self._ids), 0, data)
        if "with_response" not in request.query:
            return web.Response(status=204)
        interaction = {
            "id": request.match_info["interaction_id"],
            "type": 2,
            "response_message_id": message["id"],
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
        }
        resource = {"type": body.get("type"), "message": message}
        return json_response({"interaction": interaction, "resource": resource})

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self.stats.interaction_responses += 1
            message_id = next(self._ids)
        if request.method == "DELETE":
            return web.Response(status=204)
        body = await request.json() if request.can_read_body else {}
        message = message_object(message_id, 0, body)
        if "message_id" in request.match_info and request.match_info["message_id"] != "@original":
            message["id"] = request.match_info["message_id"]
        return json_response(message)

    def add_channel_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        """Register this mixin's endpoints under the API prefix."""
        channel = f"{prefix}/channels/{{channel_id}}"
        router.add_get(channel, self._get_channel)
        router.add_patch(channel, self._edit_channel)
        router.add_post(f"{channel}/threads", self._create_thread)
        router.add_post(f"{channel}/messages/{{message_id}}/threads", self._thread_from_message)
        router.add_post(f"{channel}/messages/{{message_id}}/crosspost", self._crosspost)
        router.add_get(f"{channel}/threads/archived/public", self._archived_public_threads)
        router.add_get(f"{prefix}/guilds/{{guild_id}}/threads/active", self._active_threads)
        router.add_post(f"{prefix}/users/@me/channels", self._dm_channel)
        router.add_post(
            f"{prefix}/interactions/{{interaction_id}}/{{token}}/callback",
            self._interaction_callback,
        )
        webhook = f"{prefix}/webhooks/{{application_id}}/{{token}}"
        router.add_post(webhook, self._webhook_message)
        for method in ("GET", "PATCH", "DELETE"):
            router.add_route(method, f"{webhook}/messages/{{message_id}}", self._webhook_message)
