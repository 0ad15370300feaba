"""Text utilities every other package shares: fitting text into Discord's limits, cards
(one embed's worth of content as plain data) and the message catalogues in English and
Japanese. Imports nothing from the rest of `bot`, and nothing from discord.
"""
