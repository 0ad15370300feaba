"""Authoring briefings, pure: importing a news document of the seed's shape, the `new`
template, the YAML writer they share, and the functions `briefbot import` and `new` call.
May import `bot.briefings` and `bot.text`; nothing from discord or the store.
"""
