"""The Discord adapters: `create_bot` (the one wiring place), the cogs, rendering cards
as embeds and views, the command translator, the file-watcher and start-up cache glue
and the offline demo.
May import every other package of `bot`; nothing else imports it but `bot.cli`.
"""
