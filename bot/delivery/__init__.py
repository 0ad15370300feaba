"""Getting digests out: the delivery run (select due, compose, claim, send, record), the
scheduler around it, subscription management and the paced send queue. May import
`bot.store`, `bot.digests`, `bot.briefings`, `bot.text`, `bot.errors`; discord only in `queue`.
"""
