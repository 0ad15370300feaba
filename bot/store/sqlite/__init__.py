"""The SQLite store: one database file, embedded, nothing to install.

`SqliteStore` groups the tables by what they hold (subscriptions, the delivery ledger,
section history, the bot's own state); all of its SQL lives in this package.
"""

from bot.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
