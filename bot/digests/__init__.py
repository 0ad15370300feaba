"""What a digest is, pure: subscriptions and ledger records as plain data, change-aware
composition and layout, and schedule arithmetic. Every function takes `now` explicitly.
May import `bot.briefings`, `bot.text` and `bot.errors`; nothing from discord or the store.
"""
