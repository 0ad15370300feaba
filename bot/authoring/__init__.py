"""Authoring briefings, pure: importing a news document of the seed's shape, the `new`
template, editing a served file safely (version history, atomic writes, section diffs).
May import `bot.briefings` and `bot.text`; nothing from discord or the store.
"""
