"""briefbot: a Discord bot that serves curated topic briefings and scheduled digests."""

__version__ = "0.1.0"
