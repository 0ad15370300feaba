"""The briefing core, pure: models, the validating loader, the library snapshot, search,
name matching, reloading with last-known-good files, the start-up cache of what was
loaded, the JSON Schema and how a briefing is laid out as cards. May import `bot.text`
and `bot.errors`; nothing from discord or the store.
"""
