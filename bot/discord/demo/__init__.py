"""`briefbot demo`: the real bot in a terminal, against simcord's simulated Discord.

`terminal` runs a session over stdin, `session` turns each typed line into a command
or a button press, and `transcript` prints what the bot answered.
"""

from bot.discord.demo.terminal import run_demo, run_lines
from bot.discord.demo.transcript import readable_timestamps

__all__ = ["readable_timestamps", "run_demo", "run_lines"]
