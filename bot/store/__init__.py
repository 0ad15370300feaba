"""Storage: the one interface the rest of the bot stores through (`interface`), SQLite and
PostgreSQL behind it, each with its numbered SQL migrations. All SQL lives here. May
import `bot.briefings` and `bot.digests`' plain data types; nothing from discord.
"""
