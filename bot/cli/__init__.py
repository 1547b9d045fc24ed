"""The ``topic-alert`` command: try a rule on feeds, poll once, inspect and move feed lists.

``main`` reads the command line (``parser.py``) and runs one command, whose function lives in
a module of its own and is imported only then (``parser.COMMANDS``): listing the feeds does not
load the Telegram library, the full-text extractor or the story clustering that ``run`` and
``poll-once`` need. Commands that poll or check feeds run on the daemon's own parts
(``bot.wiring.build``), so what ``check`` prints is what the bot would alert.
"""

from bot.cli.dispatch import main

__all__ = ["main"]
