"""What the loopback Discord saw: requests, 429s, messages per channel, threads."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    """What the server saw."""

    requests: int = 0
    rate_limited: int = 0
    deduplicated: int = 0
    faults: int = 0
    created: int = 0
    first_create: float | None = None
    last_create: float | None = None
    per_channel: collections.Counter[int] = field(default_factory=collections.Counter)
    max_in_window: int = 0
    first_request: float | None = None
    rate_limited_at: list[float] = field(default_factory=list)  # seconds after the first
    admitted_at: list[float] = field(default_factory=list)  # seconds after the first
    duplicates: int = 0  # messages created with a nonce an earlier message had
    route_limited: int = 0  # 429s for one route (crossposts), not global
    crossposts: collections.Counter[int] = field(default_factory=collections.Counter)
    threads: list[dict[str, Any]] = field(default_factory=list)  # id, name, type, parent, tags
    interaction_responses: int = 0  # outside the global limit, not in `requests`

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly stats; channel ids become strings."""
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "route_limited": self.route_limited,
            "deduplicated": self.deduplicated,
            "duplicates": self.duplicates,
            "faults": self.faults,
            "created": self.created,
            "first_request": self.first_request,
            "first_create": self.first_create,
            "last_create": self.last_create,
            "max_in_window": self.max_in_window,
            "rate_limited_at": self.rate_limited_at,
            "admitted_at": self.admitted_at,
            "per_channel": {str(k): v for k, v in self.per_channel.items()},
            "crossposts": {str(k): v for k, v in self.crossposts.items()},
            "threads": self.threads,
            "interaction_responses": self.interaction_responses,
        }
