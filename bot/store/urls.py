"""Database URLs fit to show: the password hidden, wherever the URL carries one.

Plain string surgery rather than `urllib.parse`, so that a URL it cannot parse is still
redacted, and everything else (scheme, empty host, several hosts) is shown unchanged.
"""

from __future__ import annotations

HIDDEN = "***"
# Query parameters libpq and asyncpg read a secret from.
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def redacted_url(url: str) -> str:
    """The URL with any password replaced by `***`, safe to log or print."""
    prefix, separator, rest = url.partition("://")
    if not separator:
        prefix, rest = "", url
    # The user part ends at the last "@" before any query, even if a password has an
    # unescaped "/" in it (the URL is malformed then, but the password still secret).
    head = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, head)
    userinfo, tail = (rest[:at], rest[at:]) if at >= 0 else ("", rest)
    user, colon, password = userinfo.partition(":")
    if colon and password:
        userinfo = f"{user}:{HIDDEN}"
    path, question, query = tail.partition("?")
    if question:
        query, hash_mark, fragment = query.partition("#")
        query = "&".join(_hide_parameter(pair) for pair in query.split("&"))
        tail = f"{path}?{query}{hash_mark}{fragment}"
    return f"{prefix}{separator}{userinfo}{tail}"


def _hide_parameter(pair: str) -> str:
    key, equals, _ = pair.partition("=")
    return f"{key}={HIDDEN}" if equals and key.lower() in SECRET_PARAMETERS else pair
